// The dashboard: the monitor (alarm feed and station tiles) and the lift pages, switched by the
// URL's hash (#/, #/lifts, #/lifts/<id>). The alarm feed runs on every view, so the banner
// of a new alarm shows wherever the operator is.

import { $ } from "./dom.js";
import { onKeyNeeded, setKey, storedKey, describe } from "./api.js";
import { AlarmFeed } from "./alarms.js";
import { StationBoard } from "./stations.js";
import { JobsPanel } from "./jobs.js";
import { renderLiftList, renderLiftPage } from "./lifts.js";

const STATE_TEXT = { live: "live", reconnecting: "reconnecting…", denied: "no access", error: "error" };

function showError(text) {
  const box = $("#page-error");
  box.textContent = text ?? "";
  box.hidden = !text;
}

function setFeedState(state, text) {
  const pill = $("#feed-state");
  pill.textContent = `feed: ${STATE_TEXT[state] ?? state}`;
  pill.title = text;
  pill.className = `pill ${state === "live" ? "pill-ok" : "pill-warn"}`;
  if (state === "live") showError(null);
  else if (state === "denied" || state === "error") showError(text);
}

// Ask for a key in the dialog; resolves to the key, or null when cancelled.
function askKey(reason) {
  const dialog = $("#key-dialog");
  const input = $("#key-input");
  if (dialog.open) return Promise.resolve(null);
  $(".key-reason", dialog).textContent = reason ?? "";
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "forget") setKey(null);
        resolve(dialog.returnValue === "save" ? input.value.trim() : null);
      },
      { once: true },
    );
    dialog.showModal();
    input.focus();
  });
}

function keyButton() {
  const button = $("#key-button");
  const label = () => {
    button.textContent = storedKey() ? "API key ✓" : "API key";
  };
  label();
  button.addEventListener("click", async () => {
    const key = await askKey(storedKey() ? "Replace or forget the key this tab uses." : "");
    if (key) {
      setKey(key);
      location.reload();
    }
    label();
  });
}

function route(board, jobs) {
  const hash = location.hash || "#/";
  const lift = hash.match(/^#\/lifts\/([^/]+)$/);
  const monitor = !hash.startsWith("#/lifts");
  $("#view-monitor").hidden = !monitor;
  $("#view-lifts").hidden = monitor;
  for (const link of document.querySelectorAll("[data-view-link]")) {
    const current = (link.dataset.viewLink === "monitor") === monitor;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (monitor) {
    board.start();
    jobs.start();
    return;
  }
  board.stop();
  jobs.stop();
  const root = $("#view-lifts");
  const page = lift ? renderLiftPage(root, decodeURIComponent(lift[1])) : renderLiftList(root);
  page.catch((error) => root.replaceChildren(Object.assign(document.createElement("p"), { className: "page-error", textContent: describe(error) })));
}

function main() {
  onKeyNeeded(askKey);
  keyButton();
  const feed = new AlarmFeed({ onState: setFeedState, onError: showError });
  const board = new StationBoard();
  const jobs = new JobsPanel();
  window.addEventListener("hashchange", () => route(board, jobs));
  route(board, jobs);
  feed.start();
}

main();
