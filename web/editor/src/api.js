// The client of the Webrunner HTTP API (shared/spec/api.md).

let csrfToken = "";

// setCSRF sets the token sent with every request that changes state.
export function setCSRF(token) {
  csrfToken = token || "";
}

// APIError is a failed API call: status is the HTTP status, body the decoded
// JSON error ({error, detail}) when there is one.
export class APIError extends Error {
  constructor(status, body, fallback) {
    super((body && body.error) || fallback || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

// api calls method on path with an optional JSON body and returns the decoded
// JSON answer (or null for an empty one). A 401 sends the browser to the
// login page.
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (err) {
    throw new APIError(0, null, `network error: ${err.message}`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith("/api/login")) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname));
    }
    throw new APIError(res.status, data, text.trim().slice(0, 200) || res.statusText);
  }
  return data;
}

// q encodes a query parameter value.
export function q(v) {
  return encodeURIComponent(v);
}

// wsURL returns the websocket URL of an API path on this server.
export function wsURL(path) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}

// Socket is a websocket of JSON messages that reconnects with a growing delay
// until closed. onMessage gets each decoded message, onOpen each (re)connection.
export class Socket {
  constructor(path, { onMessage, onOpen, onClose, reconnect = true } = {}) {
    this.path = path;
    this.onMessage = onMessage || (() => {});
    this.onOpen = onOpen || (() => {});
    this.onClose = onClose || (() => {});
    this.reconnect = reconnect;
    this.closed = false;
    this.delay = 250;
    this.connect();
  }

  connect() {
    if (this.closed) return;
    const ws = new WebSocket(wsURL(this.path));
    this.ws = ws;
    ws.onopen = () => {
      if (this.closed) return;
      this.delay = 250;
      this.onOpen();
    };
    ws.onmessage = (ev) => {
      if (this.closed) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.onMessage(msg);
    };
    ws.onclose = () => {
      // A socket closed on purpose (close) reports nothing.
      if (this.ws !== ws || this.closed) return;
      this.onClose();
      if (!this.reconnect) return;
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 5000);
    };
  }

  // close closes the socket for good; no callback is called after it.
  close() {
    this.closed = true;
    if (this.ws) this.ws.close();
  }
}
