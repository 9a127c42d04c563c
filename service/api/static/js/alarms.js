// The live alarm feed: the newest alarms from GET /api/alarms, kept current by the SSE stream
// (new, update, end; resync and every reconnection re-read the list), newest first. A new
// bar_open_at_departure raises a banner and a visual flash (no sound) until acknowledged or
// dismissed.

import { $, h, formatTime, setObjectURL } from "./dom.js";
import { getJSON, imageURL, describe } from "./api.js";
import { EventStream } from "./sse.js";
import { alarmRow } from "./alarm_row.js";

const PAGE = 50;
const FLASH_MS = 8000;

// Prefer whichever copy knows more: acknowledged and cleared are final.
function merge(old, incoming) {
  if (!old) return incoming;
  if (old.acknowledged && !incoming.acknowledged) return old;
  if (old.cleared_at && !incoming.cleared_at && old.acknowledged === incoming.acknowledged) {
    return old;
  }
  return incoming;
}

export class AlarmFeed {
  constructor({ onState, onError }) {
    this.alarms = new Map();
    this.rows = new Map();
    this.alerted = new Set();
    this.cursor = null;
    this.pagedBack = false; // older pages were loaded: a reload keeps their cursor
    this.bannerId = null;
    this.onState = onState;
    this.onError = onError;
    this.list = $("#alarm-list");
    this.filter = $("#only-unacked");
    this.more = $("#alarm-more");
    this.banner = $("#alarm-banner");
    this.filter.addEventListener("change", () => this.render());
    this.more.addEventListener("click", () => this.loadOlder());
    $(".banner-dismiss", this.banner).addEventListener("click", () => this.hideBanner());
    $(".banner-show", this.banner).addEventListener("click", () => this.reveal(this.bannerId));
  }

  start() {
    this.stream = new EventStream("/api/alarms/stream", {
      onOpen: () => this.reload(),
      onEvent: (type, data) => this.event(type, data),
      onState: (state, text) => this.onState(state, text),
    });
  }

  async reload() {
    try {
      const page = await getJSON(`/api/alarms?limit=${PAGE}`);
      for (const alarm of page.items) this.upsert(alarm);
      if (!this.pagedBack) this.cursor = page.next_cursor;
      this.render();
    } catch (error) {
      this.onError(`alarms: ${describe(error)}`);
    }
  }

  async loadOlder() {
    if (!this.cursor) return;
    let page;
    try {
      page = await getJSON(`/api/alarms?limit=${PAGE}&cursor=${encodeURIComponent(this.cursor)}`);
    } catch (error) {
      this.onError(`alarms: ${describe(error)}`);
      return;
    }
    for (const alarm of page.items) this.upsert(alarm);
    this.pagedBack = true;
    this.cursor = page.next_cursor;
    this.render();
  }

  event(type, alarm) {
    if (type === "resync") {
      this.reload();
      return;
    }
    if (!["new", "update", "end"].includes(type)) return;
    this.upsert(alarm);
    this.render();
    const bar = alarm.type === "bar_open_at_departure";
    if (type === "new" && bar && !alarm.acknowledged && !this.alerted.has(alarm.id)) {
      this.alerted.add(alarm.id); // once, even if the list read it first
      this.alert(alarm);
    }
    if (alarm.acknowledged && this.bannerId === alarm.id) this.hideBanner();
  }

  upsert(alarm) {
    const old_ = this.alarms.get(alarm.id);
    const kept = merge(old_, alarm);
    if (old_ && (kept === old_ || JSON.stringify(kept) === JSON.stringify(old_))) return;
    this.alarms.set(alarm.id, kept);
    const row = alarmRow(kept, {
      onAcked: (updated) => this.event("update", updated),
      onOpen: (a, kind) => this.openFrame(a, kind),
    });
    const old = this.rows.get(alarm.id);
    if (old?.classList.contains("flash")) row.classList.add("flash");
    if (old) old.replaceWith(row);
    this.rows.set(alarm.id, row);
  }

  render() {
    const onlyOpen = this.filter.checked;
    const sorted = [...this.alarms.values()].sort((a, b) => b.raised_at - a.raised_at);
    for (const alarm of sorted) {
      const row = this.rows.get(alarm.id);
      row.hidden = onlyOpen && alarm.acknowledged;
      this.list.append(row); // moves it into order
    }
    $("#alarm-empty").hidden = sorted.length > 0;
    this.more.hidden = !this.cursor;
    const open = sorted.filter((a) => !a.acknowledged).length;
    const pill = $("#unacked");
    pill.textContent = `${open} unacknowledged`;
    pill.classList.toggle("pill-alarm", open > 0);
    pill.classList.toggle("pill-quiet", open === 0);
  }

  alert(alarm) {
    this.bannerId = alarm.id;
    const where = [alarm.station_id, alarm.lift ? `lift ${alarm.lift}` : null].filter(Boolean);
    const text = `${where.join(" · ")} · passage ${alarm.passage ?? "?"} · ${formatTime(alarm.raised_at)}`;
    $(".banner-text", this.banner).textContent = text;
    this.banner.hidden = false;
    this.banner.classList.remove("flash");
    void this.banner.offsetWidth; // restart the animation
    this.banner.classList.add("flash");
    document.body.classList.add("alarm-flash");
    const row = this.rows.get(alarm.id);
    row?.classList.add("flash");
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => document.body.classList.remove("alarm-flash"), FLASH_MS);
    setTimeout(() => this.rows.get(alarm.id)?.classList.remove("flash"), FLASH_MS);
  }

  hideBanner() {
    this.banner.hidden = true;
    document.body.classList.remove("alarm-flash");
    this.bannerId = null;
  }

  reveal(alarmId) {
    const row = this.rows.get(alarmId);
    if (!row) return;
    if (location.hash !== "#/") location.hash = "#/";
    requestAnimationFrame(() => {
      row.scrollIntoView({ block: "center" });
      row.focus();
    });
  }

  // The alarm's full frame (kind "frame", the default) or its crop's heatmap ("heatmap").
  async openFrame(alarm, kind = "frame") {
    const dialog = $("#snapshot-dialog");
    const img = $(".snapshot-full", dialog);
    const what = kind === "heatmap" ? "Heatmap (Dist-CAM) of the crop" : "Camera frame";
    img.alt = `${what} of the alarm at ${alarm.station_id}, ${formatTime(alarm.raised_at)}`;
    $(".snapshot-caption", dialog).textContent = img.alt;
    $(".snapshot-deliveries", dialog).replaceChildren();
    dialog.showModal();
    try {
      const path =
        kind === "heatmap" ? alarm.snapshots.heatmap : (alarm.snapshots.frame ?? alarm.snapshots.crop);
      if (path) setObjectURL(img, (await imageURL(path)).url);
      this.showDeliveries(alarm.id, $(".snapshot-deliveries", dialog)).catch(() => {});
    } catch (error) {
      $(".snapshot-caption", dialog).textContent = describe(error);
    }
  }

  // Where the alarm went (webhook, MQTT), when the server reports deliveries.
  async showDeliveries(alarmId, list) {
    const detail = await getJSON(`/api/alarms/${alarmId}`);
    for (const d of detail.deliveries ?? []) {
      const error = d.last_error ? ` (${d.last_error})` : "";
      const text = `${d.output} · ${d.event}: ${d.status} after ${d.attempts} attempt(s)${error}`;
      list.append(h("li", { class: `delivery delivery-${d.status}`, text }));
    }
  }
}
