// The lifts: a list (with a form to create one) and one lift's page: its two masks over the
// registered reference, uploading a new mask or drawing one (editor.js), and classifying a
// test crop with the masks the stations judge with.

import { h, formatTime } from "./dom.js";
import { getJSON, sendJSON, upload, imageURL, request, describe } from "./api.js";
import { maskPanel } from "./mask_panel.js";

const liftPath = (id) => `/api/lifts/${encodeURIComponent(id)}`;
let shownReference = null; // the object URL of the reference on screen

function maskSummary(lift) {
  return ["open", "closed"]
    .map((s) => (lift.masks[s].exists ? `${s} v${lift.masks[s].version}` : `${s} missing`))
    .join(" · ");
}

function createForm(onCreated) {
  const id = h("input", { name: "id", required: true, pattern: "[a-z0-9][a-z0-9_\\-]*", maxLength: 64, placeholder: "lift-07" });
  const name = h("input", { name: "name", maxLength: 200, placeholder: "Grand Col chair" });
  const message = h("p", { class: "row-error", role: "alert" });
  const form = h(
    "form",
    { class: "inline-form", "aria-label": "Create a lift" },
    h("label", {}, "Lift id ", id),
    h("label", {}, "Name ", name),
    h("button", { type: "submit", text: "Create lift" }),
    message,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const lift = await sendJSON("/api/lifts", "POST", { id: id.value, name: name.value || null });
      onCreated(lift);
    } catch (error) {
      message.textContent = describe(error);
    }
  });
  return form;
}

export async function renderLiftList(root) {
  root.replaceChildren(h("p", { class: "empty", text: "loading lifts…" }));
  const { items } = await getJSON("/api/lifts");
  const cards = items.map((lift) =>
    h(
      "li",
      { class: "lift-card" },
      h("a", { href: `#/lifts/${encodeURIComponent(lift.id)}`, text: lift.name ? `${lift.id} — ${lift.name}` : lift.id }),
      h("p", { text: `stations: ${lift.stations.join(", ") || "none running"}` }),
      h("p", { text: `masks: ${maskSummary(lift)}` }),
    ),
  );
  root.replaceChildren(
    h(
      "section",
      { class: "panel", "aria-labelledby": "lifts-title" },
      h("h2", { id: "lifts-title", text: "Lifts" }),
      cards.length ? h("ul", { class: "lift-list" }, cards) : h("p", { class: "empty", text: "No lift yet." }),
      h("h3", { text: "Add a lift" }),
      createForm((lift) => {
        location.hash = `#/lifts/${encodeURIComponent(lift.id)}`;
      }),
    ),
  );
}

function classifyPanel(lift, station) {
  const file = h("input", { type: "file", accept: "image/png,image/jpeg", "aria-label": "Registered crop to classify" });
  const result = h("output", { class: "classify-result", "aria-live": "polite" });
  const show = (r) => {
    result.replaceChildren(
      h("strong", { class: `state-${r.state}`, text: `bar ${r.state}` }),
      ` · distance to open ${r.distances.open.toFixed(3)}, to closed ${r.distances.closed.toFixed(3)}`,
      ` · margin ${r.margin.toFixed(3)} · ${r.model}`,
    );
  };
  const run = async (blob, name) => {
    result.textContent = "classifying…";
    try {
      show(await upload(`${liftPath(lift.id)}/classify`, "POST", blob, name));
    } catch (error) {
      result.textContent = describe(error);
    }
  };
  const fromFile = h("button", { type: "button", text: "Classify this crop" });
  fromFile.addEventListener("click", () => {
    if (file.files[0]) run(file.files[0], file.files[0].name);
    else result.textContent = "choose a registered crop (PNG or JPEG) first";
  });
  const live = station
    ? h("button", {
        type: "button",
        class: "ghost",
        text: `Classify ${station}'s current registered frame`,
        onclick: async () => {
          try {
            const response = await request(`/api/stations/${encodeURIComponent(station)}/registered.jpg`);
            run(await response.blob(), "registered.jpg");
          } catch (error) {
            result.textContent = describe(error);
          }
        },
      })
    : null;
  return h(
    "section",
    { class: "panel", "aria-labelledby": "classify-title" },
    h("h3", { id: "classify-title", text: "Check the masks: classify a registered crop" }),
    h("div", { class: "inline-form" }, file, fromFile, live),
    result,
  );
}

// notice: what the last action did (shown at the top after a re-render).
export async function renderLiftPage(root, liftId, notice = null) {
  if (!notice) root.replaceChildren(h("p", { class: "empty", text: "loading lift…" }));
  const lift = await getJSON(liftPath(liftId));
  const station = lift.stations[0] ?? null;
  const reload = (text) => renderLiftPage(root, liftId, text);
  let reference = null;
  if (station) {
    reference = await imageURL(`/api/stations/${encodeURIComponent(station)}/reference.jpg`).catch(() => null);
  }
  const referenceImg = h("img", { class: "reference", alt: `Registered reference of ${station}` });
  if (reference) referenceImg.src = reference.url;
  if (shownReference) URL.revokeObjectURL(shownReference);
  shownReference = reference?.url ?? null;
  root.replaceChildren(
    h(
      "section",
      { class: "panel lift-head", "aria-labelledby": "lift-title" },
      h("p", {}, h("a", { href: "#/lifts", text: "← all lifts" })),
      h("h2", { id: "lift-title", text: lift.name ? `${lift.id} — ${lift.name}` : lift.id }),
      h("p", { text: `Stations running: ${lift.stations.join(", ") || "none (no reference to draw on)"}` }),
      h("p", {
        class: "live-version",
        text: lift.live_version === null ? "Not live: the stations judge with no mask pair yet." : `Live mask pair: version ${lift.live_version}`,
      }),
      lift.created_at ? h("p", { class: "muted", text: `created ${formatTime(lift.created_at)}` }) : null,
      notice ? h("p", { class: "notice", role: "status", text: notice }) : null,
    ),
    h(
      "div",
      { class: "mask-grid" },
      station ? h("figure", { class: "panel mask-panel" }, referenceImg, h("figcaption", { text: `Reference (${station})` })) : null,
      ...["open", "closed"].map((state) => maskPanel({ lift, state, station, reference: reference?.url ?? null, onChange: reload })),
    ),
    classifyPanel(lift, station),
  );
}
