// The Webrunner IDE: boots the shell served by web.IDEPage and wires the
// Editor, Services and Logs views, the build panel and the live events.

import { api, setCSRF, Socket } from "./api.js";
import { store, toast, confirmDialog } from "./ui.js";
import { Editor, fuzzyFilter, hashEntries } from "./editor.js";
import { Build, errorLine, linkify } from "./build.js";
import { ansiToNodes } from "./ansi.js";
import { languageName } from "./lang.js";
import { Services } from "./services.js";
import { Logs } from "./logs.js";
import "./ide.css";

const views = ["editor", "services", "logs"];

class App {
  constructor() {
    const body = document.body;
    setCSRF(body.dataset.csrf);
    this.releaseEl = document.getElementById("release");
    this.editor = new Editor(this);
    this.build = new Build(this);
    this.services = new Services(this);
    this.logs = new Logs(this);
    this.view = null;
    this.narrow = window.matchMedia("(max-width: 900px)");
    for (const v of views) {
      document.getElementById("tab-" + v).addEventListener("click", () => this.show(v));
    }
    document.getElementById("view-tabs").addEventListener("keydown", (ev) => {
      const i = views.indexOf(this.view);
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        ev.preventDefault();
        const v = views[(i + (ev.key === "ArrowRight" ? 1 : views.length - 1)) % views.length];
        this.show(v);
        document.getElementById("tab-" + v).focus();
      }
    });
    const logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", async () => {
        try {
          await api("POST", "/api/logout");
        } finally {
          location.assign("/login");
        }
      });
    }
    document.getElementById("toggle-sidebar").addEventListener("click", () => this.toggleSidebar());
    this.buildMenu();
    window.addEventListener("keydown", (ev) => this.shortcut(ev), true);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.loadRelease();
    });
    window.addEventListener("beforeunload", (ev) => {
      if (this.editor.dirtyTabs().length) {
        ev.preventDefault();
        ev.returnValue = "";
      }
    });
    this.splitters();
  }

  async start() {
    this.show(store.get("view", "editor"));
    // On a narrow window the tree overlays the editor: hidden at first, and
    // hidden again when the window becomes narrow.
    if (this.isNarrow() || store.get("sidebarHidden", false)) this.toggleSidebar(true, false);
    this.narrow.addEventListener("change", () => {
      this.toggleSidebar(this.isNarrow() || store.get("sidebarHidden", false), false);
    });
    this.connectEvents();
    this.loadRelease();
    await Promise.all([this.editor.restore(), this.build.restore()]);
    document.body.classList.add("ready");
  }

  async loadRelease() {
    try {
      const r = await api("GET", "/api/release");
      this.release = r.profile;
      this.releaseEl.textContent = r.profile.replace(/^project\//, "").replace(/\/software\.cfg$/, "");
      this.releaseEl.title = `Current software release: ${r.profile}`;
    } catch {
      // Keep the server-rendered name.
    }
  }

  // buildMenu wires the menu beside the play button (build one step only).
  buildMenu() {
    const btn = document.getElementById("play-menu");
    const menu = document.getElementById("play-menu-list");
    const close = () => {
      menu.hidden = true;
      btn.setAttribute("aria-expanded", "false");
    };
    btn.addEventListener("click", () => {
      menu.hidden = !menu.hidden;
      btn.setAttribute("aria-expanded", String(!menu.hidden));
      if (!menu.hidden) menu.querySelector("button").focus();
    });
    menu.addEventListener("keydown", (ev) => {
      const items = [...menu.querySelectorAll("button")];
      const i = items.indexOf(document.activeElement);
      if (ev.key === "Escape") {
        close();
        btn.focus();
      } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        items[(i + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length].focus();
      }
    });
    for (const item of menu.querySelectorAll("button[data-target]")) {
      item.addEventListener("click", () => {
        close();
        this.build.start(item.dataset.target);
      });
    }
    document.addEventListener("click", (ev) => {
      if (!menu.hidden && !menu.contains(ev.target) && ev.target !== btn) close();
    });
  }

  // setRelease makes profile the current software release.
  async setRelease(profile) {
    const ok = await confirmDialog("Change the software release",
      `Build ${profile} from now on? The software already built for the other release is kept.`, "Change release");
    if (!ok) return;
    try {
      await api("PUT", "/api/release", { profile });
    } catch (err) {
      toast(`Cannot change the release: ${err.message}`, "error");
      return;
    }
    await this.loadRelease();
    toast(`Current release: ${profile}`, "ok");
  }

  // show switches to view v ("editor", "services" or "logs").
  show(v) {
    if (!views.includes(v)) v = "editor";
    this.view = v;
    for (const w of views) {
      const on = w === v;
      document.getElementById("view-" + w).hidden = !on;
      const tab = document.getElementById("tab-" + w);
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    document.body.dataset.view = v;
    store.set("view", v);
    if (v === "services") this.services.refresh();
    if (v === "logs") this.logs.refresh();
    this.updateTitle();
  }

  updateTitle() {
    const a = this.editor.active;
    const dirty = this.editor.dirtyTabs().length;
    const what = this.view === "editor" ? (a ? a.path.split("/").pop() : "Editor") : this.view[0].toUpperCase() + this.view.slice(1);
    document.title = `${dirty ? "● " : ""}${what} — Webrunner`;
  }

  openFile(path, line) {
    this.show("editor");
    return this.editor.openFile(path, { line });
  }

  shortcut(ev) {
    const mod = ev.ctrlKey || ev.metaKey;
    const key = ev.key.toLowerCase();
    if (mod && ev.shiftKey && key === "b") {
      ev.preventDefault();
      this.build.start("all");
    } else if (mod && !ev.shiftKey && key === "s") {
      ev.preventDefault();
      ev.stopPropagation();
      if (this.view === "editor") this.editor.save();
    } else if (mod && !ev.shiftKey && key === "p") {
      ev.preventDefault();
      this.show("editor");
      this.editor.quickOpen();
    } else if (mod && ev.shiftKey && key === "f") {
      ev.preventDefault();
      this.show("editor");
      this.editor.searchFiles();
    } else if (mod && ev.shiftKey && key === "enter") {
      ev.preventDefault();
      this.show("editor");
      this.editor.toggleFullscreen();
    } else if (ev.altKey && !mod && key === "w") {
      ev.preventDefault();
      this.editor.closeActive();
    } else if (mod && key === "j" && !ev.shiftKey) {
      ev.preventDefault();
      this.build.toggle();
    } else if (key === "escape" && document.body.classList.contains("fullscreen") && !document.querySelector("dialog[open]") && !document.querySelector(".cm-panel.cm-search")) {
      this.editor.toggleFullscreen(false);
    }
  }

  // toggleSidebar shows or hides the file tree; remember keeps the choice
  // for the next visits (not done for automatic changes on narrow windows).
  toggleSidebar(force, remember = true) {
    const hidden = document.body.classList.toggle("sidebar-hidden", force);
    document.getElementById("toggle-sidebar").setAttribute("aria-expanded", String(!hidden));
    if (remember) store.set("sidebarHidden", hidden);
  }

  // isNarrow reports whether the tree overlays the editor.
  isNarrow() {
    return this.narrow.matches;
  }

  // splitters makes the sidebar width and the build panel height draggable
  // (and adjustable with the arrow keys).
  splitters() {
    const root = document.documentElement;
    const setVar = (name, px) => root.style.setProperty(name, px + "px");
    const layout = store.get("layout", {});
    if (layout.sidebar) setVar("--sidebar-width", layout.sidebar);
    if (layout.panel) setVar("--panel-height", layout.panel);
    const drag = (el, name, compute, min, max) => {
      const set = (v) => {
        v = Math.max(min, Math.min(max(), v));
        setVar(name, v);
        layout[name === "--sidebar-width" ? "sidebar" : "panel"] = v;
        store.set("layout", layout);
        this.editor.active?.view.requestMeasure();
      };
      el.addEventListener("pointerdown", (ev) => {
        ev.preventDefault();
        el.setPointerCapture(ev.pointerId);
        const move = (e) => set(compute(e));
        const up = () => {
          el.removeEventListener("pointermove", move);
          el.removeEventListener("pointerup", up);
        };
        el.addEventListener("pointermove", move);
        el.addEventListener("pointerup", up);
      });
      el.addEventListener("keydown", (ev) => {
        const cur = parseInt(getComputedStyle(root).getPropertyValue(name), 10) || min;
        const step = ev.shiftKey ? 50 : 10;
        const grow = name === "--sidebar-width" ? { ArrowRight: step, ArrowLeft: -step } : { ArrowUp: step, ArrowDown: -step };
        if (ev.key in grow) {
          ev.preventDefault();
          set(cur + grow[ev.key]);
        }
      });
    };
    drag(document.getElementById("sidebar-splitter"), "--sidebar-width", (e) => e.clientX, 140, () => window.innerWidth * 0.6);
    drag(document.getElementById("panel-splitter"), "--panel-height", (e) => window.innerHeight - e.clientY, 80, () => window.innerHeight * 0.8);
  }

  // connectEvents follows /api/events to keep every view current.
  connectEvents() {
    const dot = document.getElementById("conn");
    let connectedOnce = false;
    this.events = new Socket("/api/events", {
      onOpen: () => {
        dot.dataset.state = "up";
        dot.title = "Connected to the server";
        if (connectedOnce) {
          // Events may have been missed: catch up.
          this.editor.tree.refresh();
          for (const tb of this.editor.tabs) this.editor.fileEvent({ path: tb.path, op: "write" });
          if (this.view === "services") this.services.refresh();
        }
        connectedOnce = true;
      },
      onClose: () => {
        dot.dataset.state = "down";
        dot.title = "Disconnected from the server: reconnecting…";
      },
      onMessage: (ev) => this.event(ev),
    });
  }

  event(ev) {
    if (ev.type === "file") this.editor.fileEvent(ev);
    else if (ev.type === "build") {
      this.build.event(ev);
      // The release may have been changed by another tab or a script.
      if (ev.state === "running") this.loadRelease();
      if (ev.state !== "running") {
        this.editor.recheckOutsideProject();
        this.services.refresh();
        if (this.view === "logs") this.logs.refresh();
      }
    } else if (ev.type === "instance") {
      this.services.refresh();
    }
  }

  buildEnded(b) {
    this.services.refresh();
    if (this.view === "logs") this.logs.refresh();
    if (b.state === "succeeded") toast(`Build #${b.id} succeeded`, "ok");
    else if (b.state === "failed") toast(`Build #${b.id} failed`, "error");
  }
}

function boot() {
  if (!document.getElementById("ide")) return;
  const app = new App();
  window.webrunnerApp = app;
  // The pure helpers, for the end-to-end tests' table checks.
  app.lib = { fuzzyFilter, hashEntries, errorLine, linkify, ansiToNodes, languageName };
  app.start().catch((err) => toast(`Start-up failed: ${err.message}`, "error"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
