// Station tiles: the live registered crop (or the raw frame), refreshed about once a second,
// and the station's status (camera, fps, registration score, passage, decisions) every 2 s.
// Images come as blobs over fetch (with the key); one request per tile at a time.

import { $, h, ago, number, setObjectURL } from "./dom.js";
import { getJSON, imageURL, describe } from "./api.js";

const STATUS_MS = 2000;
const IMAGE_MS = 1000;

function stat(label, value, className = "") {
  return [h("dt", { text: label }), h("dd", { class: className, text: value })];
}

function decisionText(d) {
  return d ? `${d.state} · margin ${number(d.margin, 2)}` : "—";
}

function passageText(p) {
  if (!p) return "—";
  return `#${p.passage} ${p.state}${p.alarm ? " — ALARM" : ""}`;
}

class Tile {
  constructor(station) {
    this.id = station.id;
    this.kind = "registered";
    this.busy = false;
    this.img = h("img", { class: "live", alt: "" });
    this.placeholder = h("p", { class: "live-none", text: "waiting for a frame…" });
    this.buttons = ["registered", "frame"].map((kind) =>
      h("button", {
        type: "button",
        class: "toggle",
        text: kind === "registered" ? "Registered" : "Raw frame",
        "aria-pressed": String(kind === this.kind),
        onclick: () => this.show(kind),
      }),
    );
    this.badge = h("span", { class: "badge" });
    this.lift = h("a", {});
    this.stats = h("dl", { class: "stats" });
    this.element = h(
      "article",
      { class: "tile", "data-station": station.id, "aria-label": `Station ${station.id}` },
      h("header", { class: "tile-head" }, h("h3", { text: station.id }), this.lift, this.badge),
      h("div", { class: "live-box" }, this.img, this.placeholder),
      h("div", { class: "toggles", role: "group", "aria-label": "Image" }, this.buttons),
      this.stats,
    );
  }

  show(kind) {
    this.kind = kind;
    this.buttons.forEach((b, i) => b.setAttribute("aria-pressed", String(i === (kind === "registered" ? 0 : 1))));
    this.refresh();
  }

  update(s) {
    this.lift.textContent = `lift ${s.lift}`;
    this.lift.href = `#/lifts/${encodeURIComponent(s.lift)}`;
    const up = s.connected && !s.camera_offline;
    this.badge.textContent = up ? "camera up" : `camera down (${s.state})`;
    this.badge.className = `badge ${up ? "badge-ok" : "badge-down"}`;
    this.element.classList.toggle("down", !up);
    this.stats.replaceChildren(
      ...stat("Capture", `${number(s.capture_fps)} fps`),
      ...stat("Analysed", `${number(s.analysed_fps)} fps`),
      ...stat("Registration", number(s.registration_score, 2)),
      ...stat("Passage", s.current_passage ?? "—"),
      ...stat("Last decision", decisionText(s.last_decision), s.last_decision?.state ?? ""),
      ...stat("Last passage", passageText(s.last_passage), s.last_passage?.alarm ? "open" : ""),
      ...stat("Last frame", ago(s.last_frame_time)),
    );
  }

  async refresh() {
    if (this.busy) return;
    this.busy = true;
    const kind = this.kind;
    try {
      const { url, headers } = await imageURL(`/api/stations/${encodeURIComponent(this.id)}/${kind}.jpg`);
      if (kind !== this.kind) return URL.revokeObjectURL(url);
      setObjectURL(this.img, url);
      const frame = headers.get("X-Frame-Index");
      this.img.alt = `${kind === "registered" ? "Registered crop" : "Raw frame"} of ${this.id}${frame ? `, frame ${frame}` : ""}`;
      this.img.hidden = false;
      this.placeholder.hidden = true;
    } catch (error) {
      this.img.hidden = !this.img.src;
      this.placeholder.hidden = !this.img.hidden;
      this.placeholder.textContent = describe(error);
    } finally {
      this.busy = false;
    }
  }
}

export class StationBoard {
  constructor() {
    this.tiles = new Map();
    this.grid = $("#station-grid");
    this.note = $("#station-empty");
    this.timers = [];
  }

  start() {
    if (this.timers.length) return;
    this.poll();
    this.timers = [
      setInterval(() => this.poll(), STATUS_MS),
      setInterval(() => this.refreshImages(), IMAGE_MS),
    ];
  }

  stop() {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  refreshImages() {
    if (document.visibilityState === "hidden") return;
    for (const tile of this.tiles.values()) tile.refresh();
  }

  async poll() {
    if (document.visibilityState === "hidden") return;
    let stations;
    try {
      stations = (await getJSON("/api/stations")).items;
    } catch (error) {
      this.note.textContent = `Stations: ${describe(error)}`;
      this.note.hidden = false;
      return;
    }
    for (const s of stations) {
      let tile = this.tiles.get(s.id);
      if (!tile) {
        tile = new Tile(s);
        this.tiles.set(s.id, tile);
        this.grid.append(tile.element);
        tile.refresh();
      }
      tile.update(s);
    }
    for (const [id, tile] of this.tiles) {
      if (!stations.some((s) => s.id === id)) {
        tile.element.remove();
        this.tiles.delete(id);
      }
    }
    this.note.textContent = "No station runs in this server.";
    this.note.hidden = stations.length > 0;
  }
}
