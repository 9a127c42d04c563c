// The jobs panel: the latest training, evaluation and pairing jobs with their progress
// (GET /api/jobs, polled while the monitor shows). Starting and cancelling jobs stays with the
// API (admin).

import { $, h, ago, number } from "./dom.js";
import { getJSON, describe } from "./api.js";

const POLL_MS = 3000;
const SHOWN = 8;

function progressText(job) {
  const p = job.progress ?? {};
  if (job.kind === "pairing" && job.result?.test_accuracy !== undefined) {
    return `test pairs ${number(100 * job.result.test_accuracy, 2)} %`;
  }
  if ((job.kind === "train" || job.kind === "pairing") && p.epoch) {
    const epochs = p.epochs ? `/${p.epochs}` : "";
    const acc = p.val_accuracy === undefined ? "—" : number(100 * p.val_accuracy, 1);
    return `epoch ${p.epoch}${epochs}, loss ${number(p.loss, 3)}, val ${acc} %`;
  }
  if (job.kind === "evaluate" && job.result?.accuracy) {
    return `overall ${number(job.result.accuracy.overall, 2)} %`;
  }
  return p.steps > 1 ? `step ${p.step}/${p.steps}` : "";
}

function jobRow(job) {
  const when = job.ended ?? job.started ?? job.created;
  return h(
    "li",
    { class: `job job-${job.status}`, "data-job": job.id },
    h("span", { class: "job-what", text: `${job.kind} ${job.model}` }),
    h("span", { class: "job-status", text: job.status }),
    h("span", { class: "job-progress", text: progressText(job) }),
    h("span", { class: "job-when", text: ago(when), title: job.error ?? "" }),
  );
}

export class JobsPanel {
  constructor() {
    this.list = $("#job-list");
    this.note = $("#job-empty");
    this.timer = null;
  }

  start() {
    if (this.timer) return;
    this.poll();
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  async poll() {
    if (document.visibilityState === "hidden") return;
    try {
      const { items } = await getJSON(`/api/jobs?limit=${SHOWN}`);
      this.list.replaceChildren(...items.map(jobRow));
      this.note.textContent = "No job yet: an admin starts them with POST /api/jobs/train.";
      this.note.hidden = items.length > 0;
    } catch (error) {
      this.note.textContent = `Jobs unavailable: ${describe(error)}`;
      this.note.hidden = false;
    }
  }
}
