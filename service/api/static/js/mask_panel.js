// One mask of a lift (open or closed): shown over the reference, replaced by an uploaded file,
// or drawn in the browser (MaskEditor) and saved as a PNG.

import { h, formatTime, setObjectURL } from "./dom.js";
import { imageURL, upload, describe } from "./api.js";
import { MaskEditor } from "./editor.js";

const DEFAULT_CROP = 200;

function maskMeta(info) {
  if (!info.exists) return "no mask yet";
  const when = info.updated_at ? `, ${formatTime(info.updated_at)}` : "";
  return `version ${info.version} (${info.source ?? "?"}${when})`;
}

function overlayPath(lift, state, station) {
  const base = `/api/lifts/${encodeURIComponent(lift.id)}/masks/${state}`;
  return station ? `${base}?overlay=1&station=${encodeURIComponent(station)}` : base;
}

function sizeOf(url) {
  return new Promise((resolve) => {
    if (!url) return resolve(DEFAULT_CROP);
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth || DEFAULT_CROP);
    img.onerror = () => resolve(DEFAULT_CROP);
    img.src = url;
  });
}

async function put(lift, state, blob, name) {
  const r = await upload(`/api/lifts/${encodeURIComponent(lift.id)}/masks/${state}`, "PUT", blob, name);
  return `saved: ${state} mask version ${r.version}${r.embedded ? ", live at every station now" : " (not live yet: the lift needs both masks and a running pipeline)"}`;
}

export function maskPanel({ lift, state, station, reference, onChange }) {
  const info = lift.masks[state];
  const img = h("img", { class: "mask-image", alt: `The ${state} mask${station ? " over the reference" : ""}` });
  const view = h("div", { class: "mask-view" }, info.exists ? img : h("p", { class: "empty", text: "no mask yet" }));
  if (info.exists) {
    imageURL(overlayPath(lift, state, station))
      .then(({ url }) => setObjectURL(img, url))
      .catch((error) => view.replaceChildren(h("p", { class: "row-error", text: describe(error) })));
  }
  const message = h("p", { class: "upload-status", role: "status" });
  const file = h("input", { type: "file", name: "file", accept: "image/png,image/jpeg", id: `mask-file-${state}` });
  const form = h(
    "form",
    { class: "inline-form", "data-upload": state },
    h("label", { for: `mask-file-${state}`, text: `New ${state} mask (PNG or JPEG, white bar on black)` }),
    file,
    h("button", { type: "submit", text: `Upload ${state} mask` }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file.files[0]) {
      message.textContent = "choose a file first";
      return;
    }
    message.textContent = "uploading…";
    try {
      onChange(await put(lift, state, file.files[0], file.files[0].name));
    } catch (error) {
      message.textContent = describe(error);
    }
  });
  const draw = h("button", { type: "button", class: "ghost", text: `Draw the ${state} mask` });
  const panel = h(
    "section",
    { class: `panel mask-panel mask-${state}`, "data-mask": state, "aria-label": `${state} mask` },
    h("h3", { text: `${state === "open" ? "Bar open" : "Bar closed"} mask` }),
    h("p", { class: "mask-meta", text: maskMeta(info) }),
    view,
    form,
    draw,
    message,
  );
  draw.addEventListener("click", async () => {
    draw.hidden = true;
    const current = info.exists ? await imageURL(`/api/lifts/${encodeURIComponent(lift.id)}/masks/${state}`).catch(() => null) : null;
    const editor = new MaskEditor({
      size: await sizeOf(reference),
      reference,
      mask: current?.url ?? null,
      state,
      onSave: async (blob) => {
        onChange(await put(lift, state, blob, `${state}.png`));
        return "saved";
      },
      onClose: () => {
        editor.element.remove();
        draw.hidden = false;
        view.hidden = false;
      },
    });
    view.hidden = true; // the editor shows the mask over the reference while it is open
    view.after(editor.element);
    await editor.ready;
    if (current) URL.revokeObjectURL(current.url);
  });
  return panel;
}
