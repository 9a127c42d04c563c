// Server-Sent Events over fetch, so the request carries the Bearer key (EventSource cannot).
// Parses text/event-stream as the HTML standard says (event, data, id, retry; ":" comments),
// reconnects after the server's `retry` delay, and restarts a stream silent for too long.

import { request, ApiError, describe } from "./api.js";

const SILENCE_MS = 45000; // the server sends a heartbeat every 15 s by default

export class EventStream {
  // handlers: onEvent(type, data, id), onOpen() (subscribed: re-read state), onState(state, text)
  constructor(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.retryMs = 3000;
    this.closed = false;
    this.controller = null;
    this.run();
  }

  close() {
    this.closed = true;
    this.controller?.abort();
  }

  async run() {
    while (!this.closed) {
      let failure = null;
      try {
        await this.once();
      } catch (error) {
        failure = error;
      }
      if (this.closed) return;
      const denied = failure instanceof ApiError && [401, 403].includes(failure.status);
      const text = failure && failure.name !== "AbortError" ? describe(failure) : "stream ended";
      this.handlers.onState(denied ? "denied" : "reconnecting", text);
      await new Promise((resolve) => setTimeout(resolve, denied ? 15000 : this.retryMs));
    }
  }

  async once() {
    this.controller = new AbortController();
    const response = await request(this.path, {
      headers: { Accept: "text/event-stream" },
      signal: this.controller.signal,
    });
    this.handlers.onState("live", "live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let watchdog = this.watch();
    let buffer = "";
    let event = { type: "", data: [], id: "" };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        clearTimeout(watchdog);
        watchdog = this.watch();
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop();
        for (const line of lines) event = this.line(line, event);
      }
    } finally {
      clearTimeout(watchdog);
      reader.cancel().catch(() => {});
    }
  }

  watch() {
    return setTimeout(() => this.controller?.abort(), SILENCE_MS);
  }

  // One line of the stream; returns the event being built.
  line(line, event) {
    if (line === "") {
      if (event.data.length) {
        this.dispatch(event.type || "message", event.data.join("\n"), event.id);
      }
      return { type: "", data: [], id: "" };
    }
    if (line.startsWith(":")) {
      if (line.slice(1).trim() === "connected") this.handlers.onOpen();
      return event;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event.type = value;
    else if (field === "data") event.data.push(value);
    else if (field === "id") event.id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    return event;
  }

  dispatch(type, text, id) {
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      console.warn("alarm feed: an event that is not JSON", type, text);
      return;
    }
    this.handlers.onEvent(type, data, id);
  }
}
