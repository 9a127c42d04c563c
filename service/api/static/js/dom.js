// Small DOM helpers. Text from the server always goes in through textContent, never as HTML.

// h("div", {class: "x", text: "hi", "aria-label": "y", onclick: fn}, child, ...)
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name in element && !name.includes("-")) element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

const sameDay = (a, b) => a.toDateString() === b.toDateString();

// Epoch seconds as local time: "14:03:07", with the date when it is not today.
export function formatTime(epoch) {
  if (epoch === null || epoch === undefined) return "—";
  const date = new Date(epoch * 1000);
  const time = date.toLocaleTimeString([], { hour12: false });
  return sameDay(date, new Date()) ? time : `${date.toLocaleDateString()} ${time}`;
}

export function isoTime(epoch) {
  return new Date(epoch * 1000).toISOString();
}

// "3 s ago", "4 min ago", "2 h ago".
export function ago(epoch) {
  if (epoch === null || epoch === undefined) return "never";
  const seconds = Math.max(0, Date.now() / 1000 - epoch);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

export function number(value, digits = 1) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(digits);
}

// Replace an <img>'s object URL, revoking the one it had.
export function setObjectURL(img, url) {
  const previous = img.dataset.objectUrl;
  img.src = url;
  img.dataset.objectUrl = url;
  if (previous) URL.revokeObjectURL(previous);
}
