// The green play button, the two build indicators and the build panel that
// streams a build's output from /api/build/N/ws.

import { api, APIError, Socket } from "./api.js";
import { h, toast, formatDuration, store } from "./ui.js";
import { ansiToNodes } from "./ansi.js";

const phaseTitles = { software: "Software release", instance: "Instance slappart0", promise: "Promises" };
const maxLines = 20000;

// errorLine reports whether a build output line reports an error.
export function errorLine(text) {
  return /(^|\W)(error|Error|ERROR|failed|FAILED|Failed|Traceback|Exception|fatal|FATAL)(\W|$)/.test(text) &&
    !/\b0 errors?\b/.test(text);
}

// fileLinkRE finds workspace file references with a line number in build
// output: "project/x/instance.cfg.in:12", "/abs/ws/project/x.cfg", line 3",
// "File "/ws/instance/slappart0/bin/x.py", line 7".
const fileLinkRE = /((?:\/[^\s:"',()]*?\/)?((?:project|software|instance)\/[^\s:"',()]+))(?::(\d+)|",? line (\d+)|, line (\d+))/g;

// linkify splits text into strings and link elements for file references.
export function linkify(text, open) {
  const out = [];
  let last = 0;
  fileLinkRE.lastIndex = 0;
  for (let m; (m = fileLinkRE.exec(text));) {
    const line = Number(m[3] || m[4] || m[5]);
    const path = m[2];
    out.push(text.slice(last, m.index));
    out.push(h("a.file-link", {
      href: "#",
      title: `Open ${path} at line ${line}`,
      dataset: { path, line: String(line) },
      onclick: (ev) => {
        ev.preventDefault();
        open(path, line);
      },
    }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// Build drives the play button, the indicators and the build panel.
export class Build {
  constructor(app) {
    this.app = app;
    this.play = document.getElementById("play");
    this.panel = document.getElementById("build-panel");
    this.out = document.getElementById("build-output");
    this.title = document.getElementById("build-title");
    this.stateEl = document.getElementById("build-state");
    this.elapsedEl = document.getElementById("build-elapsed");
    this.progressEl = document.getElementById("build-progress");
    this.cancelBtn = document.getElementById("build-cancel");
    this.followBtn = document.getElementById("build-follow");
    this.errorEl = document.getElementById("build-error");
    this.ind = {
      software: document.getElementById("ind-software"),
      instance: document.getElementById("ind-instance"),
    };
    this.current = null; // {id, target, state, started, finished}
    this.socket = null;
    this.follow = true;
    this.phase = null;
    this.lines = 0;
    this.pending = document.createDocumentFragment();
    this.metrics = { clickToFirstLineMs: null };
    window.webrunnerMetrics = this.metrics;

    this.play.addEventListener("click", () => this.start("all"));
    this.cancelBtn.addEventListener("click", () => this.cancel());
    this.followBtn.addEventListener("click", () => this.setFollow(true));
    document.getElementById("build-toggle").addEventListener("click", () => this.toggle());
    document.getElementById("build-close").addEventListener("click", () => this.toggle(false));
    // Following stops when the user scrolls up and resumes when they scroll
    // back to the bottom. Lines are appended (and followed) once per frame,
    // before the scroll event of that frame: a scroll event not at the
    // bottom is the user's.
    this.out.addEventListener("scroll", () => {
      const atBottom = this.out.scrollHeight - this.out.scrollTop - this.out.clientHeight < 8;
      if (atBottom !== this.follow) this.setFollow(atBottom);
    });
    setInterval(() => this.tick(), 500);
    this.toggle(store.get("buildPanel", false));
  }

  // toggle opens or closes the build panel.
  toggle(open) {
    const on = open === undefined ? this.panel.hidden : open;
    this.panel.hidden = !on;
    document.getElementById("build-toggle").setAttribute("aria-expanded", String(on));
    store.set("buildPanel", on);
    if (on) this.scrollDown();
  }

  setFollow(on) {
    this.follow = on;
    this.followBtn.hidden = on;
    if (on) this.scrollDown();
  }

  scrollDown() {
    if (this.follow) this.out.scrollTop = this.out.scrollHeight;
  }

  // restore finds the running or last build and shows it.
  async restore() {
    try {
      const res = await api("GET", "/api/builds?limit=20");
      const builds = res.builds || [];
      const b = builds[0];
      this.setIndicator("software", "unknown");
      this.setIndicator("instance", "unknown");
      if (b) this.attach(b);
      // A part the last build did not cover keeps the state of the last
      // successful build that covered it.
      for (const part of ["software", "instance"]) {
        if (b && (b.target || "all") === "all") break;
        if (b && b.target === part) continue;
        const last = builds.find((x) => x.target === part || x.target === "all" || !x.target);
        if (last && last.state === "succeeded") this.setIndicator(part, "ok");
      }
    } catch (err) {
      this.setIndicator("software", "unknown");
      this.setIndicator("instance", "unknown");
    }
  }

  // start asks the server for a build of target and streams it.
  async start(target = "all") {
    if (this.current && this.current.state === "running") {
      this.toggle(true);
      toast(`Build ${this.current.id} is already running`, "info");
      return;
    }
    this.clickTime = performance.now();
    this.metrics.clickToFirstLineMs = null;
    const dirty = this.app.editor.dirtyTabs();
    if (dirty.length) {
      for (const tb of dirty) if (!(await this.app.editor.save(tb))) return;
    }
    this.play.disabled = true;
    this.starting = true;
    try {
      const res = await api("POST", "/api/build", { target });
      this.attach({ id: res.id, target, state: "running", started: new Date().toISOString() });
    } catch (err) {
      if (err instanceof APIError && err.status === 409 && err.body.detail && err.body.detail.id) {
        toast(`Build ${err.body.detail.id} is already running`, "info");
        this.attach({ id: err.body.detail.id, state: "running" });
      } else {
        toast(`Cannot start the build: ${err.message}`, "error");
      }
    } finally {
      this.play.disabled = false;
      this.starting = false;
    }
    this.toggle(true);
  }

  async cancel() {
    if (!this.current) return;
    try {
      await api("POST", `/api/build/${this.current.id}/cancel`);
    } catch (err) {
      toast(`Cannot cancel: ${err.message}`, "error");
    }
  }

  // attach shows build b and follows its websocket.
  attach(b) {
    if (this.current && this.current.id === b.id && this.socket && !this.socket.closed) return;
    if (this.socket) this.socket.close();
    this.current = { ...b };
    this.title.textContent = `Build #${b.id}` + (b.target ? ` (${b.target})` : "");
    this.resetOutput();
    this.setState(b.state || "running");
    if (b.error) this.showError(b.error);
    const target = b.target || "all";
    this.targets = target === "all" ? ["software", "instance"] : [target];
    for (const k of this.targets) this.setIndicator(k, b.state === "running" ? "pending" : "unknown");
    const sock = new Socket(`/api/build/${b.id}/ws`, {
      onOpen: () => {
        if (this.socket !== sock) return;
        this.resetOutput(); // the server replays every line
        this.setState(this.current.state);
      },
      onMessage: (m) => {
        if (this.socket !== sock) return;
        if (m.type === "line") this.line(m);
        else if (m.type === "progress") this.progress(m);
        else if (m.type === "end") {
          sock.close();
          this.end(m);
        }
      },
      onClose: () => {
        if (this.socket === sock && !sock.closed) this.stateEl.textContent = "reconnecting…";
      },
    });
    this.socket = sock;
    if (b.state && b.state !== "running") {
      // A finished build: its websocket replays the output then ends.
      this.finishedIndicators(b.state, b.error);
    }
  }

  // progress shows which part of which phase the build is at ("part N of
  // M"); after the end it still names the last part processed.
  progress(m) {
    this.progressEl.textContent = `${m.phase}: part ${m.step} of ${m.steps} · ${m.part}`;
  }

  resetOutput() {
    this.progressEl.textContent = "";
    this.pending = document.createDocumentFragment();
    this.out.replaceChildren();
    this.phase = null;
    this.lines = 0;
    this.failedPhase = null;
    this.setFollow(true);
  }

  // line renders one output line. Lines are appended in batches, once per
  // frame, so that a fast build does not relayout the page for every line.
  line(m) {
    const phase = m.phase || "software";
    if (phase !== this.phase) {
      if (this.phase && this.current.state === "running") {
        if (this.ind[this.phase]) this.setIndicator(this.phase, "ok");
      }
      this.phase = phase;
      this.pending.append(h("div.build-phase", { role: "heading", "aria-level": "3" }, phaseTitles[phase] || phase));
      if (this.current.state === "running" && this.ind[phase]) this.setIndicator(phase, "running");
    }
    const text = m.text || "";
    const row = h("div.build-line", ansiToNodes(text, (s) => linkify(s, (p, l) => this.app.openFile(p, l))));
    if (errorLine(text.replace(/\x1b\[[0-9;]*m/g, ""))) {
      row.classList.add("error");
      this.failedPhase = this.failedPhase || phase;
    }
    this.pending.append(row);
    this.lines++;
    this.scheduleFlush();
  }

  scheduleFlush() {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Hidden tabs get no animation frames.
    if (document.hidden) setTimeout(() => this.flush(), 50);
    else requestAnimationFrame(() => this.flush());
  }

  // flush puts the pending lines on screen.
  flush() {
    this.flushScheduled = false;
    if (!this.pending.firstChild) return;
    this.out.append(this.pending);
    if (this.metrics.clickToFirstLineMs === null && this.clickTime) {
      this.metrics.clickToFirstLineMs = performance.now() - this.clickTime;
      this.clickTime = null;
    }
    while (this.lines > maxLines) {
      const first = this.out.querySelector(".build-line");
      if (!first) break;
      first.remove();
      this.lines--;
    }
    this.scrollDown();
  }

  end(m) {
    this.flush();
    this.current.state = m.state;
    this.current.finished = this.current.finished || new Date().toISOString();
    this.setState(m.state);
    this.finishedIndicators(m.state, m.error);
    if (m.error) this.showError(m.error);
    this.out.append(h("div.build-end." + m.state, `Build ${m.state}` + (this.current.started ? ` after ${formatDuration(Date.parse(this.current.finished) - Date.parse(this.current.started))}` : "")));
    this.scrollDown();
    this.app.buildEnded(this.current);
  }

  finishedIndicators(state, error) {
    const targets = this.targets || ["software", "instance"];
    if (state === "succeeded") {
      for (const k of targets) this.setIndicator(k, "ok");
      return;
    }
    if (state === "running") return;
    // Failed or cancelled: the phase being built failed; later ones never ran.
    const failed = this.phase === "promise" ? "instance" : this.phase || targets[0];
    let seen = false;
    for (const k of targets) {
      if (k === failed) {
        this.setIndicator(k, state === "cancelled" ? "cancelled" : "failed");
        seen = true;
      } else if (!seen) this.setIndicator(k, "ok");
      else this.setIndicator(k, "unknown");
    }
  }

  // event handles {type:"build"} from /api/events.
  event(ev) {
    if (ev.state === "running" && !this.starting && (!this.current || this.current.id !== ev.id)) {
      api("GET", `/api/build/${ev.id}`).then((b) => this.attach(b)).catch(() => this.attach({ id: ev.id, state: "running" }));
    }
  }

  setState(state) {
    this.stateEl.textContent = state;
    this.stateEl.dataset.state = state;
    this.cancelBtn.hidden = state !== "running";
    this.play.classList.toggle("running", state === "running");
    this.play.setAttribute("aria-label", state === "running" ? "Build running" : "Build and run (Ctrl+Shift+B)");
    if (state === "running") this.errorEl.hidden = true;
  }

  showError(err) {
    this.errorEl.hidden = false;
    this.errorEl.replaceChildren(h("strong", "Error: "), ...linkify(err, (p, l) => this.app.openFile(p, l)));
  }

  setIndicator(which, state) {
    const el = this.ind[which];
    if (!el) return;
    el.dataset.state = state;
    const words = { ok: "built", failed: "failed", running: "building…", pending: "waiting", cancelled: "cancelled", unknown: "not built" };
    el.title = `${which === "software" ? "Software release" : "Instance"}: ${words[state] || state}`;
    el.querySelector(".ind-state").textContent = words[state] || state;
  }

  tick() {
    const b = this.current;
    if (!b || !b.started) {
      this.elapsedEl.textContent = "";
      return;
    }
    const end = b.state === "running" ? Date.now() : Date.parse(b.finished || b.started);
    this.elapsedEl.textContent = formatDuration(end - Date.parse(b.started));
  }
}
