// The Logs view: the list of logs and a live tail of the selected one.

import { api, q, Socket } from "./api.js";
import { h, formatTime, store } from "./ui.js";
import { ansiToNodes } from "./ansi.js";

const maxLines = 10000;

function formatSize(n) {
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

// Logs is the Logs view.
export class Logs {
  constructor(app) {
    this.app = app;
    this.listEl = document.getElementById("log-list");
    this.out = document.getElementById("log-output");
    this.titleEl = document.getElementById("log-title");
    this.pauseBtn = document.getElementById("log-pause");
    this.filterEl = document.getElementById("log-filter");
    this.downloadEl = document.getElementById("log-download");
    this.countEl = document.getElementById("log-count");
    this.path = null;
    this.paused = false;
    this.buffer = [];
    this.pending = document.createDocumentFragment();
    this.socket = null;
    this.pauseBtn.addEventListener("click", () => this.setPaused(!this.paused));
    this.filterEl.addEventListener("input", () => this.applyFilter());
    document.getElementById("log-refresh").addEventListener("click", () => this.refresh());
    document.getElementById("log-clear").addEventListener("click", () => {
      this.out.replaceChildren();
    });
    this.listEl.addEventListener("keydown", (ev) => {
      const items = [...this.listEl.querySelectorAll(".log-item")];
      const i = items.indexOf(document.activeElement);
      if (i < 0) return;
      if (ev.key === "ArrowDown" && items[i + 1]) items[i + 1].focus();
      else if (ev.key === "ArrowUp" && items[i - 1]) items[i - 1].focus();
      else return;
      ev.preventDefault();
    });
  }

  // refresh reloads the list of logs.
  async refresh() {
    this.listEl.setAttribute("aria-busy", "true");
    try {
      await this.load();
    } finally {
      this.listEl.removeAttribute("aria-busy");
    }
  }

  async load() {
    let files;
    try {
      files = (await api("GET", "/api/logs")).files || [];
    } catch (err) {
      this.listEl.replaceChildren(h("li.muted", `Cannot list the logs: ${err.message}`));
      this.shown = null;
      return;
    }
    // Build logs first, newest first; then the others by path.
    const isBuild = (f) => f.path.startsWith("log/");
    files.sort((a, b) => (isBuild(b) - isBuild(a)) ||
      (isBuild(a) ? b.path.localeCompare(a.path, undefined, { numeric: true }) : a.path.localeCompare(b.path, undefined, { numeric: true })));
    // Keep the list (and the focus in it) when nothing changed.
    const shown = JSON.stringify(files.map((f) => [f.path, f.size]));
    if (shown !== this.shown) {
      this.shown = shown;
      const focused = document.activeElement && this.listEl.contains(document.activeElement) ? document.activeElement.dataset.path : null;
      this.listEl.replaceChildren(...(files.length ? files.map((f) => h("li",
        h("button.log-item" + (f.path === this.path ? ".selected" : ""), {
          type: "button",
          title: `${f.path} — ${formatSize(f.size)}, ${formatTime(f.mtime)}`,
          "aria-current": f.path === this.path ? "true" : undefined,
          dataset: { path: f.path },
          onclick: () => this.open(f.path),
        }, h("span.log-name", f.path.split("/").pop()), h("span.log-dir", f.path.split("/").slice(0, -1).join("/")), h("span.log-size", formatSize(f.size))))) : [h("li.muted", "No log yet.")]));
      if (focused) {
        const b = this.listEl.querySelector(`.log-item[data-path="${CSS.escape(focused)}"]`);
        if (b) b.focus();
      }
    }
    if (!this.path) {
      const last = store.get("log", null);
      if (last && files.some((f) => f.path === last)) this.open(last);
    }
  }

  // open tails path live.
  open(path) {
    if (this.socket) this.socket.close();
    this.path = path;
    store.set("log", path);
    for (const b of this.listEl.querySelectorAll(".log-item")) {
      const on = b.dataset.path === path;
      b.classList.toggle("selected", on);
      if (on) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    this.titleEl.textContent = path;
    this.downloadEl.href = "/api/download?path=" + q(path);
    this.downloadEl.hidden = false;
    this.out.replaceChildren();
    this.out.dataset.state = "connecting";
    this.titleEl.classList.remove("disconnected");
    this.pending = document.createDocumentFragment();
    this.buffer = [];
    this.setPaused(false);
    const sock = new Socket(`/api/logs/ws?path=${q(path)}&lines=500`, {
      onOpen: () => {
        // The server sends the last lines again after a reconnection.
        this.out.replaceChildren();
        this.pending = document.createDocumentFragment();
        this.buffer = [];
        this.titleEl.classList.remove("disconnected");
        this.out.dataset.state = "live";
      },
      onClose: () => {
        this.titleEl.classList.add("disconnected");
        this.out.dataset.state = "disconnected";
      },
      onMessage: (m) => {
        if (m.type !== "line") return;
        if (this.paused) {
          this.buffer.push(m.text);
          this.countEl.textContent = `${this.buffer.length} new line(s) while paused`;
        } else this.append(m.text);
      },
    });
    this.socket = sock;
  }

  // append shows a line; lines are appended in batches, once per frame.
  append(text) {
    const row = h("div.log-line", ansiToNodes(text));
    row.dataset.text = text.toLowerCase();
    const f = this.filterEl.value.trim().toLowerCase();
    if (f && !row.dataset.text.includes(f)) row.hidden = true;
    this.pending.append(row);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (document.hidden) setTimeout(() => this.flush(), 50);
    else requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.flushScheduled = false;
    const atBottom = this.out.scrollHeight - this.out.scrollTop - this.out.clientHeight < 8;
    this.out.append(this.pending);
    let extra = this.out.childElementCount - maxLines;
    while (extra-- > 0) this.out.firstElementChild.remove();
    if (atBottom) this.out.scrollTop = this.out.scrollHeight;
  }

  setPaused(p) {
    this.paused = p;
    this.pauseBtn.textContent = p ? "Resume" : "Pause";
    this.pauseBtn.setAttribute("aria-pressed", String(p));
    if (!p) {
      const lines = this.buffer;
      this.buffer = [];
      for (const l of lines) this.append(l);
      this.countEl.textContent = "";
    }
  }

  applyFilter() {
    const f = this.filterEl.value.trim().toLowerCase();
    for (const row of this.out.children) row.hidden = !!f && !row.dataset.text.includes(f);
  }
}
