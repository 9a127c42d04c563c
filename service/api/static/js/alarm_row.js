// One alarm of the feed: snapshot thumbnail (and, for bar alarms, the crop's Dist-CAM heatmap:
// where the model looked), time, station, lift, type, evidence, and either an acknowledge form
// (with an optional note) or who acknowledged it, when, and their note.

import { h, formatTime, isoTime, number } from "./dom.js";
import { imageURL, sendJSON, describe } from "./api.js";

export const TYPE_LABELS = {
  bar_open_at_departure: "Bar open at departure",
  camera_offline: "Camera offline",
};

const thumbnails = new Map(); // "alarm id:kind" -> object URL (snapshots never change)

// Load a snapshot into img (cached); on failure replace img by a "snapshot missing" box.
function loadThumb(img, alarm, kind) {
  const key = `${alarm.id}:${kind}`;
  const cached = thumbnails.get(key);
  if (cached) {
    img.src = cached;
    return;
  }
  imageURL(alarm.snapshots[kind])
    .then(({ url }) => {
      thumbnails.set(key, url);
      img.src = url;
    })
    .catch(() => img.replaceWith(h("div", { class: "thumb thumb-none", text: "snapshot missing" })));
}

function thumbnail(alarm, onOpen) {
  if (alarm.type === "camera_offline") {
    return h("div", { class: "thumb thumb-camera", "aria-hidden": "true" }, h("span", { text: "NO SIGNAL" }));
  }
  if (!alarm.snapshots.crop) {
    return h("div", { class: "thumb thumb-none", text: "no snapshot" });
  }
  const img = h("img", {
    class: "thumb",
    alt: `Registered crop of passage ${alarm.passage ?? "?"} at ${alarm.station_id}`,
    width: 96,
    height: 96,
  });
  loadThumb(img, alarm, "crop");
  const button = h("button", {
    type: "button",
    class: "thumb-button",
    title: "Show the full frame",
    "aria-label": "Show the full camera frame of this alarm",
    onclick: () => onOpen(alarm),
  });
  button.append(img);
  return button;
}

// The heatmap thumbnail of a bar alarm (null when it has none); opens the heatmap large.
function heatmapThumb(alarm, onOpen) {
  if (!alarm.snapshots.heatmap) return null;
  const img = h("img", {
    class: "heatmap-thumb",
    alt: `Heatmap of passage ${alarm.passage ?? "?"} at ${alarm.station_id}: red is what the model matched`,
    width: 96,
    height: 96,
  });
  loadThumb(img, alarm, "heatmap");
  const button = h("button", {
    type: "button",
    class: "thumb-button heatmap-button",
    title: "Show the heatmap: where the model looked",
    "aria-label": "Show the heatmap of this alarm",
    onclick: () => onOpen(alarm, "heatmap"),
  });
  button.append(img);
  return button;
}

function evidence(alarm) {
  const d = alarm.details || {};
  if (alarm.type === "camera_offline") {
    const parts = [d.reason ? `reason: ${d.reason}` : null];
    if (d.offline_for_s !== null && d.offline_for_s !== undefined) {
      parts.push(`no frame for ${number(d.offline_for_s, 0)} s`);
    }
    return parts.filter(Boolean).join(" · ");
  }
  const parts = [`passage ${alarm.passage ?? "?"}`, `frame ${alarm.frame ?? "?"}`];
  if (d.open_frames !== undefined && d.judged_frames !== undefined) {
    parts.push(`open in ${d.open_frames}/${d.judged_frames} frames`);
  }
  if (d.margin !== null && d.margin !== undefined) parts.push(`margin ${number(d.margin, 2)}`);
  return parts.join(" · ");
}

function status(alarm, onAcked) {
  const lines = [];
  if (alarm.cleared_at) {
    lines.push(h("p", { class: "cleared", text: `Camera back at ${formatTime(alarm.cleared_at)}` }));
  }
  if (alarm.acknowledged) {
    const text = `✓ Acknowledged by ${alarm.acknowledged_by ?? "?"} at ${formatTime(alarm.acknowledged_at)}`;
    lines.push(h("p", { class: "acked-by", text }));
    if (alarm.ack_note) lines.push(h("p", { class: "ack-note", text: `“${alarm.ack_note}”` }));
    return lines;
  }
  const note = h("input", {
    type: "text",
    name: "note",
    maxLength: 1000,
    placeholder: "Note (optional)",
    "aria-label": "Acknowledgement note (optional)",
  });
  const message = h("p", { class: "row-error", role: "alert" });
  const button = h("button", { type: "submit", class: "ack", text: "Acknowledge" });
  const form = h("form", { class: "ack-form" }, note, button, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    try {
      const note_ = note.value.trim();
      onAcked(await sendJSON(`/api/alarms/${alarm.id}/ack`, "POST", { note: note_ || null }));
    } catch (error) {
      message.textContent = describe(error);
      button.disabled = false;
    }
  });
  lines.push(form);
  return lines;
}

// The <li> of `alarm`; onAcked(updated alarm) after a successful acknowledgement.
export function alarmRow(alarm, { onAcked, onOpen }) {
  const camera = alarm.type === "camera_offline";
  const classes = ["alarm", camera ? "type-camera" : "type-bar"];
  if (alarm.acknowledged) classes.push("acked");
  if (alarm.cleared_at) classes.push("cleared");
  const where = [alarm.station_id, alarm.lift ? `lift ${alarm.lift}` : null].filter(Boolean);
  return h(
    "li",
    { class: classes.join(" "), "data-alarm-id": alarm.id, "data-type": alarm.type, tabIndex: -1 },
    h("div", { class: "thumbs" }, thumbnail(alarm, onOpen), heatmapThumb(alarm, onOpen)),
    h(
      "div",
      { class: "alarm-body" },
      h(
        "div",
        { class: "alarm-head" },
        h("span", { class: "alarm-type", text: TYPE_LABELS[alarm.type] ?? alarm.type }),
        h("time", { datetime: isoTime(alarm.raised_at), text: formatTime(alarm.raised_at) }),
      ),
      h("p", { class: "alarm-where", text: where.join(" · ") }),
      h("p", { class: "alarm-evidence", text: evidence(alarm) }),
    ),
    h("div", { class: "alarm-status" }, status(alarm, onAcked)),
  );
}
