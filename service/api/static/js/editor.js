// Draw a mask in the browser: a brush and an eraser on a canvas over the station's registered
// reference, at the crop's own resolution (one canvas pixel = one crop pixel, shown enlarged).
// The mask is white (bar) on black; saving sends it as a binary PNG.

import { h } from "./dom.js";

const TINT = [255, 140, 0, 150]; // the mask shown in translucent orange, as the server's overlay
const UNDO_DEPTH = 20;

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("the image did not load"));
    img.src = url;
  });
}

export class MaskEditor {
  // size: the crop's side (px); reference, mask: object URLs or null; onSave(blob) -> Promise.
  constructor({ size, reference, mask, state, onSave, onClose }) {
    this.size = size;
    this.mode = "brush";
    this.undo = [];
    this.mask = h("canvas", { width: size, height: size });
    this.view = h("canvas", {
      class: "editor-canvas",
      width: size,
      height: size,
      "aria-label": `Drawing area of the ${state} mask over the reference`,
      role: "img",
    });
    this.ctx = this.mask.getContext("2d", { willReadFrequently: true });
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, size, size);
    this.brush = h("input", { type: "range", min: 2, max: Math.round(size / 3), value: Math.round(size / 12) });
    this.status = h("p", { class: "editor-status", role: "status" });
    this.element = this.controls(state, onSave, onClose);
    this.bindPointer();
    this.ready = this.init(reference, mask);
  }

  controls(state, onSave, onClose) {
    const tool = (mode, label) =>
      h("button", {
        type: "button",
        class: "toggle",
        text: label,
        "aria-pressed": String(mode === this.mode),
        "data-mode": mode,
        onclick: (e) => {
          this.mode = mode;
          for (const b of e.target.parentElement.children) b.setAttribute("aria-pressed", String(b === e.target));
        },
      });
    const save = h("button", { type: "button", class: "primary", text: `Save as the ${state} mask` });
    save.addEventListener("click", async () => {
      save.disabled = true;
      this.status.textContent = "saving…";
      try {
        this.status.textContent = await onSave(await this.png());
      } catch (error) {
        this.status.textContent = error.message;
      } finally {
        save.disabled = false;
      }
    });
    return h(
      "div",
      { class: "editor", "data-editor": state },
      this.view,
      h(
        "div",
        { class: "editor-tools" },
        h("div", { class: "toggles", role: "group", "aria-label": "Tool" }, tool("brush", "Brush"), tool("eraser", "Eraser")),
        h("label", { class: "range" }, "Size ", this.brush),
        h("button", { type: "button", class: "ghost", text: "Undo", onclick: () => this.back() }),
        h("button", { type: "button", class: "ghost", text: "Clear", onclick: () => this.clear() }),
        save,
        h("button", { type: "button", class: "ghost", text: "Close", onclick: onClose }),
      ),
      this.status,
    );
  }

  async init(reference, mask) {
    this.background = reference ? await loadImage(reference).catch(() => null) : null;
    if (mask) {
      const img = await loadImage(mask).catch(() => null);
      if (img) this.ctx.drawImage(img, 0, 0, this.size, this.size);
    }
    this.paint();
  }

  bindPointer() {
    let last = null;
    const point = (e) => {
      const box = this.view.getBoundingClientRect();
      return [((e.clientX - box.left) / box.width) * this.size, ((e.clientY - box.top) / box.height) * this.size];
    };
    this.view.addEventListener("pointerdown", (e) => {
      this.view.setPointerCapture(e.pointerId);
      this.remember();
      last = point(e);
      this.stroke(last, last);
    });
    this.view.addEventListener("pointermove", (e) => {
      if (!last) return;
      const next = point(e);
      this.stroke(last, next);
      last = next;
    });
    const end = () => {
      last = null;
    };
    this.view.addEventListener("pointerup", end);
    this.view.addEventListener("pointercancel", end);
  }

  stroke([x0, y0], [x1, y1]) {
    const c = this.ctx;
    c.strokeStyle = this.mode === "brush" ? "#fff" : "#000";
    c.lineWidth = Number(this.brush.value);
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(x0, y0);
    c.lineTo(x1 + 0.01, y1);
    c.stroke();
    this.paint();
  }

  remember() {
    this.undo.push(this.ctx.getImageData(0, 0, this.size, this.size));
    if (this.undo.length > UNDO_DEPTH) this.undo.shift();
  }

  back() {
    const previous = this.undo.pop();
    if (previous) this.ctx.putImageData(previous, 0, 0);
    this.paint();
  }

  clear() {
    this.remember();
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.size, this.size);
    this.paint();
  }

  // The reference, with the mask over it in translucent orange.
  paint() {
    const view = this.view.getContext("2d");
    view.fillStyle = "#222";
    view.fillRect(0, 0, this.size, this.size);
    if (this.background) view.drawImage(this.background, 0, 0, this.size, this.size);
    const mask = this.ctx.getImageData(0, 0, this.size, this.size);
    const tint = new ImageData(this.size, this.size);
    for (let i = 0; i < mask.data.length; i += 4) {
      if (mask.data[i] > 127) tint.data.set(TINT, i);
    }
    const layer = h("canvas", { width: this.size, height: this.size });
    layer.getContext("2d").putImageData(tint, 0, 0);
    view.drawImage(layer, 0, 0);
  }

  // The mask as a binary (0/255) PNG.
  png() {
    const data = this.ctx.getImageData(0, 0, this.size, this.size);
    for (let i = 0; i < data.data.length; i += 4) {
      const v = data.data[i] > 127 ? 255 : 0;
      data.data.set([v, v, v, 255], i);
    }
    const out = h("canvas", { width: this.size, height: this.size });
    out.getContext("2d").putImageData(data, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }
}
