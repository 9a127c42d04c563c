// The API client. Every request is a fetch that carries the operator's key, if any, as
// "Authorization: Bearer <key>": JSON, images (as blobs) and the live feed alike, so the key
// never appears in a URL or a cookie. The key lives in this tab's sessionStorage only.
// With no key configured the server serves this machine without one: nothing is asked.

const KEY_ITEM = "liftwatch.apiKey";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

export function setKey(key) {
  declined = false;
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  else sessionStorage.removeItem(KEY_ITEM);
}

let askForKey = async () => null;
let pendingAsk = null;
let declined = false; // the operator cancelled the prompt: don't ask again until they set a key

// fn(reason) -> Promise<string|null>: how the page asks the operator for a key.
export function onKeyNeeded(fn) {
  askForKey = fn;
}

async function errorOf(response) {
  let code = "error";
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

async function newKey(reason) {
  if (declined) return false;
  pendingAsk ??= askForKey(reason).finally(() => {
    pendingAsk = null;
  });
  const key = await pendingAsk;
  if (key) setKey(key);
  else declined = true;
  return Boolean(key);
}

// fetch(path) with the key; a 401 asks for a key (one prompt for all callers) and retries.
// Resolves to the Response when it is 2xx, else rejects with an ApiError.
export async function request(path, options = {}) {
  for (;;) {
    const used = storedKey();
    const headers = new Headers(options.headers);
    if (used) headers.set("Authorization", `Bearer ${used}`);
    const response = await fetch(path, {
      ...options,
      headers,
      cache: "no-store",
      credentials: "omit",
    });
    if (response.ok) return response;
    const error = await errorOf(response);
    if (response.status !== 401) throw error;
    if (storedKey() !== used) continue; // another caller got a new key meanwhile
    if (!(await newKey(error.message))) throw error;
  }
}

export async function getJSON(path, options = {}) {
  return (await request(path, options)).json();
}

export async function sendJSON(path, method, body) {
  const response = await request(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return response.json();
}

// A multipart upload of one file in field `field` (masks, crops to classify).
export async function upload(path, method, blob, filename, field = "file") {
  const form = new FormData();
  form.append(field, blob, filename);
  return (await request(path, { method, body: form })).json();
}

// An image the API serves, as an object URL (revoke it when done) and its Response headers.
export async function imageURL(path, options = {}) {
  const response = await request(path, options);
  return { url: URL.createObjectURL(await response.blob()), headers: response.headers };
}

export function describe(error) {
  if (error instanceof ApiError) return error.message;
  return `cannot reach the server (${error.message})`;
}
