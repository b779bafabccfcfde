// Small DOM helpers: element construction, dialogs, notifications.

// h creates an element: h("div.cls#id", {attr: v, onclick: f}, ...children).
export function h(spec, attrs, ...children) {
  const m = spec.match(/^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i);
  const el = document.createElement((m && m[1]) || "div");
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === ".") el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// setChildren makes els the children of parent, in order, moving and
// removing nodes without detaching those already in place (so focus and
// pending clicks on them survive a re-render).
export function setChildren(parent, els) {
  let cur = parent.firstChild;
  for (const el of els) {
    if (cur === el) {
      cur = cur.nextSibling;
      continue;
    }
    parent.insertBefore(el, cur);
  }
  while (cur) {
    const next = cur.nextSibling;
    cur.remove();
    cur = next;
  }
}

// openDialog shows a modal dialog and resolves with the value of the button
// pressed (or null when dismissed with Escape).
export function openDialog({ title, body, buttons, className, initialFocus }) {
  return new Promise((resolve) => {
    const dlg = h("dialog.dialog", { "aria-label": title });
    if (className) dlg.classList.add(...className.split(/\s+/));
    const done = (v) => {
      resolve(v);
      dlg.close();
      dlg.remove();
    };
    const btns = (buttons || [{ label: "OK", value: true, primary: true }]).map((b) =>
      h("button.btn" + (b.primary ? ".primary" : "") + (b.danger ? ".danger" : ""), {
        type: "button",
        dataset: { value: String(b.value) },
        onclick: () => done(b.value),
      }, b.label),
    );
    dlg.append(
      h("h2.dialog-title", title),
      h("div.dialog-body", body),
      h("div.dialog-buttons", btns),
    );
    dlg.addEventListener("cancel", (ev) => {
      ev.preventDefault();
      done(null);
    });
    document.body.append(dlg);
    dlg.showModal();
    const focus = initialFocus ? dlg.querySelector(initialFocus) : btns.find((b, i) => buttons && buttons[i].primary) || btns[0];
    if (focus) focus.focus();
  });
}

// confirmDialog asks a yes/no question; resolves true when confirmed.
export async function confirmDialog(title, message, okLabel = "OK", danger = false) {
  const v = await openDialog({
    title,
    body: h("p", message),
    buttons: [
      { label: "Cancel", value: false },
      { label: okLabel, value: true, primary: !danger, danger },
    ],
  });
  return v === true;
}

// promptDialog asks for one line of text; resolves with it or null.
export async function promptDialog(title, label, value = "") {
  const input = h("input.input.prompt-input", { type: "text", value, "aria-label": label, spellcheck: "false" });
  const form = h("form", { onsubmit: (ev) => ev.preventDefault() }, h("label.prompt-label", label), input);
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      input.closest("dialog").querySelector(".btn.primary").click();
    }
  });
  const p = openDialog({
    title,
    body: form,
    buttons: [
      { label: "Cancel", value: false },
      { label: "OK", value: true, primary: true },
    ],
    initialFocus: ".prompt-input",
  });
  input.select();
  const ok = await p;
  const v = input.value.trim();
  return ok === true && v ? v : null;
}

let toastBox;

// toast shows a transient notification; kind is "info", "ok", "warn" or
// "error". action, if given, is {label, run} and adds a button.
export function toast(message, kind = "info", ms = 4000, action = null) {
  if (!toastBox) {
    toastBox = h("div.toasts", { role: "status", "aria-live": "polite" });
    document.body.append(toastBox);
  }
  const t = h("div.toast." + kind, { title: "Click to dismiss", onclick: (ev) => {
    if (!ev.target.closest(".toast-action")) t.remove();
  } }, h("span", message));
  if (action) {
    t.append(h("button.btn.toast-action", { type: "button", onclick: () => {
      t.remove();
      action.run();
    } }, action.label));
  }
  toastBox.append(t);
  setTimeout(() => t.remove(), kind === "error" || action ? ms * 2 : ms);
}

// copyText copies text to the clipboard and says so.
export async function copyText(text, what = "Copied") {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API unavailable (insecure context): fall back to a selection.
    const ta = h("textarea.offscreen", text);
    document.body.append(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  toast(what, "ok", 1500);
}

const copyIcon = '<svg class="svg-icon" viewBox="0 0 16 16" aria-hidden="true"><rect x="5" y="5" width="8.5" height="9" rx="1" fill="none" stroke="currentColor" stroke-width="1.3"/><path d="M3 10.5V3a1 1 0 0 1 1-1h6" fill="none" stroke="currentColor" stroke-width="1.3"/></svg>';

// copyButton returns a small button that copies text().
export function copyButton(text, label = "Copy") {
  const b = h("button.btn.icon.copy", {
    type: "button",
    title: label,
    "aria-label": label,
    onclick: () => copyText(typeof text === "function" ? text() : text, "Copied to clipboard"),
  });
  b.innerHTML = copyIcon;
  return b;
}

// formatTime formats an RFC 3339 time for display.
export function formatTime(t) {
  if (!t) return "";
  const d = new Date(t);
  if (isNaN(d)) return t;
  return d.toLocaleString();
}

// formatDuration formats milliseconds as 1h02m03s / 2m05s / 4.2s.
export function formatDuration(ms) {
  if (ms < 0) ms = 0;
  const s = ms / 1000;
  if (s < 60) return s.toFixed(1) + "s";
  const m = Math.floor(s / 60);
  const sec = String(Math.floor(s % 60)).padStart(2, "0");
  if (m < 60) return `${m}m${sec}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m${sec}s`;
}

// store persists small UI state in localStorage.
export const store = {
  get(key, def) {
    try {
      const v = localStorage.getItem("webrunner." + key);
      return v === null ? def : JSON.parse(v);
    } catch {
      return def;
    }
  },
  set(key, v) {
    try {
      localStorage.setItem("webrunner." + key, JSON.stringify(v));
    } catch {
      // Storage full or disabled: state is simply not kept.
    }
  },
};
