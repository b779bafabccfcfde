// The Editor view: file tree, tabs of CodeMirror editors, save with etag
// conflict handling, quick open, MD5 menu, live reload of files changed on
// disk.

import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLineGutter, highlightSpecialChars,
  drawSelection, dropCursor, rectangularSelection, crosshairCursor, highlightActiveLine,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  indentOnInput, syntaxHighlighting, bracketMatching, foldGutter, foldKeymap, HighlightStyle,
} from "@codemirror/language";
import { search, searchKeymap, highlightSelectionMatches, openSearchPanel } from "@codemirror/search";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { MergeView } from "@codemirror/merge";
import { tags as t } from "@lezer/highlight";

import { api, q, APIError } from "./api.js";
import { h, openDialog, confirmDialog, promptDialog, toast, copyButton, store, setChildren } from "./ui.js";
import { languageFor, languageName } from "./lang.js";
import { intelExtensions, diagnosticsCount } from "./intel.js";

const highlight = HighlightStyle.define([
  { tag: t.comment, class: "tok-comment" },
  { tag: t.heading, class: "tok-heading" },
  { tag: [t.propertyName, t.definition(t.propertyName)], class: "tok-property" },
  { tag: t.operator, class: "tok-operator" },
  { tag: t.special(t.variableName), class: "tok-reference" },
  { tag: t.local(t.variableName), class: "tok-reference2" },
  { tag: [t.string, t.special(t.string)], class: "tok-string" },
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], class: "tok-keyword" },
  { tag: [t.number, t.bool, t.null, t.atom], class: "tok-number" },
  { tag: t.meta, class: "tok-meta" },
  { tag: [t.className, t.typeName], class: "tok-type" },
  { tag: [t.standard(t.variableName), t.function(t.variableName), t.function(t.propertyName)], class: "tok-function" },
  { tag: [t.variableName, t.definition(t.variableName)], class: "tok-variable" },
  { tag: t.attributeName, class: "tok-property" },
  { tag: t.invalid, class: "tok-invalid" },
]);

// The page's CSP nonce, if it has one, lets CodeMirror inject its styles.
const nonceEl = document.querySelector("link[nonce]");

const baseTheme = [
  EditorView.theme({
    "&": { height: "100%" },
    ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  }),
  nonceEl && nonceEl.nonce ? EditorView.cspNonce.of(nonceEl.nonce) : [],
];

// statusDiagnostics adds the diagnostics count to the status bar.
function statusDiagnostics() {
  const pos = document.getElementById("status-pos");
  if (!pos) return null;
  const el = h("span#status-diag.status-diag", { title: "Problems in this file (F8: next)", hidden: true });
  pos.before(el);
  return el;
}

function basename(p) {
  return p.split("/").pop();
}

function dirname(p) {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

// under reports whether path is dir or inside it.
function under(path, dir) {
  return path === dir || path.startsWith(dir + "/");
}

// Editor is the Editor view. app links it to the other views.
export class Editor {
  constructor(app) {
    this.app = app;
    this.tabs = []; // {path, view, etag, saved, dirty, deleted, el, banner}
    this.active = null;
    this.tabsEl = document.getElementById("tabs");
    this.editorsEl = document.getElementById("editors");
    this.bannerEl = document.getElementById("banner");
    this.status = {
      path: document.getElementById("status-path"),
      pos: document.getElementById("status-pos"),
      lang: document.getElementById("status-lang"),
      md5: document.getElementById("status-md5"),
      msg: document.getElementById("status-msg"),
      diag: statusDiagnostics(),
    };
    this.tree = new Tree(document.getElementById("tree"), this);
    this.fileIndex = null;
    this.fileSizes = new Map();
    this.bindToolbar();
  }

  bindToolbar() {
    const on = (id, f) => {
      const el = document.getElementById(id);
      if (el) el.addEventListener("click", f);
    };
    on("new-file", () => this.tree.createEntry("file"));
    on("new-folder", () => this.tree.createEntry("dir"));
    on("rename-entry", () => this.tree.renameSelected());
    on("delete-entry", () => this.tree.deleteSelected());
    on("refresh-tree", () => this.tree.refresh());
    on("collapse-tree", () => this.tree.collapseAll());
    on("fullscreen", () => this.toggleFullscreen());
    on("quick-open", () => this.quickOpen());
    on("find", () => this.find());
    on("search-files", () => this.searchFiles());
    on("save", () => this.save());
    const menuBtn = document.getElementById("md5-menu");
    const menu = document.getElementById("md5-menu-list");
    if (menuBtn && menu) {
      const close = () => {
        menu.hidden = true;
        menuBtn.setAttribute("aria-expanded", "false");
      };
      menuBtn.addEventListener("click", () => {
        const open = menu.hidden;
        menu.hidden = !open;
        menuBtn.setAttribute("aria-expanded", String(open));
        if (open) menu.querySelector("button").focus();
      });
      menu.addEventListener("keydown", (ev) => {
        const items = [...menu.querySelectorAll("button")];
        const i = items.indexOf(document.activeElement);
        if (ev.key === "Escape") {
          close();
          menuBtn.focus();
        } else if (ev.key === "ArrowDown") {
          ev.preventDefault();
          items[(i + 1) % items.length].focus();
        } else if (ev.key === "ArrowUp") {
          ev.preventDefault();
          items[(i - 1 + items.length) % items.length].focus();
        }
      });
      document.addEventListener("click", (ev) => {
        if (!menu.hidden && !menu.contains(ev.target) && ev.target !== menuBtn) close();
      });
      on("md5-get", () => {
        close();
        this.getMD5();
      });
      on("md5-update", () => {
        close();
        this.updateHashFile();
      });
    }
  }

  // restore reopens the tabs of the last session.
  async restore() {
    await this.tree.init();
    const saved = store.get("tabs", { paths: [], active: null });
    for (const p of saved.paths || []) {
      await this.openFile(p, { activate: false, quiet: true });
    }
    const act = this.tabs.find((tb) => tb.path === saved.active) || this.tabs[0];
    if (act) this.activate(act);
    this.updateWelcome();
    if (store.get("fullscreen", false)) this.toggleFullscreen(true);
  }

  persist() {
    store.set("tabs", { paths: this.tabs.map((tb) => tb.path), active: this.active && this.active.path });
  }

  tabFor(path) {
    return this.tabs.find((tb) => tb.path === path);
  }

  // openFile opens path in a tab (or activates its tab) and moves the cursor
  // to line when given.
  async openFile(path, { line, activate = true, quiet = false } = {}) {
    let tab = this.tabFor(path);
    if (!tab) {
      let data;
      try {
        data = await api("GET", "/api/file?path=" + q(path));
      } catch (err) {
        if (!quiet) toast(`Cannot open ${path}: ${err.message}`, "error");
        return null;
      }
      tab = this.tabFor(path); // opened meanwhile
      if (!tab) tab = this.addTab(path, data.content, data.etag);
    }
    if (activate) this.activate(tab);
    if (line) this.goToLine(tab, line);
    this.persist();
    return tab;
  }

  addTab(path, content, etag) {
    const tab = { path, etag, dirty: false, deleted: false, banner: null, lang: new Compartment(), intel: new Compartment() };
    const lang = languageFor(path);
    tab.view = new EditorView({
      parent: this.editorsEl,
      state: EditorState.create({ doc: content, extensions: this.extensions(tab, lang) }),
    });
    tab.view.dom.hidden = true;
    tab.view.dom.dataset.path = path;
    tab.saved = tab.view.state.doc;
    tab.el = h("div.tab", {
      role: "tab",
      tabindex: "-1",
      "aria-selected": "false",
      title: path,
      dataset: { path },
      onclick: (ev) => {
        if (!ev.target.closest(".tab-close")) this.activate(tab);
      },
      onauxclick: (ev) => {
        if (ev.button === 1) this.closeTab(tab);
      },
      onkeydown: (ev) => this.tabKey(ev, tab),
    },
    h("span.tab-name", basename(path)),
    h("span.tab-dirty", { "aria-label": "unsaved changes", title: "Unsaved changes" }, "●"),
    h("button.tab-close", { type: "button", tabindex: "-1", "aria-label": "Close " + basename(path), title: "Close (Alt+W)", onclick: () => this.closeTab(tab) }, "×"));
    this.tabsEl.append(tab.el);
    this.tabs.push(tab);
    return tab;
  }

  extensions(tab, lang) {
    return [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      syntaxHighlighting(highlight),
      bracketMatching(),
      closeBrackets(),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      search({ top: true }),
      keymap.of([
        { key: "Mod-s", run: () => (this.save(tab), true), preventDefault: true },
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...foldKeymap,
        indentWithTab,
      ]),
      tab.lang.of(lang ? lang : []),
      tab.intel.of(intelExtensions(this, tab)),
      baseTheme,
      EditorView.contentAttributes.of({ "aria-label": "Editor: " + tab.path }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) this.setDirty(tab, !u.state.doc.eq(tab.saved));
        if ((u.selectionSet || u.docChanged) && tab === this.active) this.updateCursor();
      }),
    ];
  }

  tabKey(ev, tab) {
    const i = this.tabs.indexOf(tab);
    let next = null;
    if (ev.key === "ArrowRight") next = this.tabs[(i + 1) % this.tabs.length];
    else if (ev.key === "ArrowLeft") next = this.tabs[(i - 1 + this.tabs.length) % this.tabs.length];
    else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this.activate(tab);
      tab.view.focus();
      return;
    } else if (ev.key === "Delete") {
      this.closeTab(tab);
      return;
    }
    if (next) {
      ev.preventDefault();
      this.activate(next, false);
      next.el.focus();
    }
  }

  setDirty(tab, dirty) {
    if (tab.dirty === dirty) return;
    tab.dirty = dirty;
    tab.el.classList.toggle("dirty", dirty);
    this.app.updateTitle();
  }

  activate(tab, focus = true) {
    if (this.active && this.active !== tab) {
      this.active.view.dom.hidden = true;
      this.active.el.classList.remove("active");
      this.active.el.setAttribute("aria-selected", "false");
      this.active.el.tabIndex = -1;
    }
    this.active = tab;
    tab.view.dom.hidden = false;
    tab.el.classList.add("active");
    tab.el.setAttribute("aria-selected", "true");
    tab.el.tabIndex = 0;
    tab.el.scrollIntoView({ block: "nearest", inline: "nearest" });
    this.status.path.textContent = tab.path;
    this.status.lang.textContent = languageName(tab.path);
    this.status.md5.replaceChildren();
    this.renderBanner();
    this.updateCursor();
    this.updateDiagnostics();
    this.updateWelcome();
    this.tree.reveal(tab.path);
    this.persist();
    this.app.updateTitle();
    if (focus) tab.view.focus();
  }

  updateWelcome() {
    document.getElementById("welcome").hidden = this.tabs.length > 0;
  }

  updateCursor() {
    const tab = this.active;
    if (!tab) return;
    const sel = tab.view.state.selection.main;
    const line = tab.view.state.doc.lineAt(sel.head);
    this.status.pos.textContent = `Ln ${line.number}, Col ${sel.head - line.from + 1}` +
      (sel.empty ? "" : ` (${sel.to - sel.from} selected)`);
  }

  // updateDiagnostics shows the diagnostics count of the active tab.
  updateDiagnostics() {
    const el = this.status.diag;
    const tab = this.active;
    if (!el || !tab) return;
    const { errors, warnings } = diagnosticsCount(tab.view.state);
    el.hidden = errors + warnings === 0;
    el.textContent = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
    el.classList.toggle("has-errors", errors > 0);
  }

  goToLine(tab, n) {
    const doc = tab.view.state.doc;
    const line = doc.line(Math.max(1, Math.min(n, doc.lines)));
    tab.view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: "center" }) });
    tab.view.focus();
  }

  async closeTab(tab, force = false) {
    if (tab.dirty && !force) {
      const v = await openDialog({
        title: "Unsaved changes",
        body: h("p", `Save the changes to ${tab.path} before closing?`),
        buttons: [
          { label: "Cancel", value: "cancel" },
          { label: "Don't save", value: "discard", danger: true },
          { label: "Save", value: "save", primary: true },
        ],
      });
      if (v === "save") {
        if (!(await this.save(tab))) return;
      } else if (v !== "discard") {
        return;
      }
    }
    const i = this.tabs.indexOf(tab);
    if (i < 0) return;
    this.tabs.splice(i, 1);
    tab.view.destroy();
    tab.el.remove();
    if (this.active === tab) {
      this.active = null;
      const next = this.tabs[i] || this.tabs[i - 1];
      if (next) this.activate(next);
      else {
        this.status.path.textContent = "";
        this.status.pos.textContent = "";
        this.status.lang.textContent = "";
        this.status.md5.replaceChildren();
        this.renderBanner();
      }
    }
    this.updateWelcome();
    this.persist();
    this.app.updateTitle();
  }

  closeActive() {
    if (this.active) this.closeTab(this.active);
  }

  dirtyTabs() {
    return this.tabs.filter((tb) => tb.dirty);
  }

  // save writes the tab (default: the active one) with its etag. It resolves
  // true when the file is on disk with the editor's content.
  async save(tab = this.active, { overwrite = false } = {}) {
    if (!tab) return false;
    const content = tab.view.state.doc.toString();
    const doc = tab.view.state.doc;
    const etag = tab.deleted ? null : tab.etag;
    try {
      const res = await api("PUT", "/api/file?path=" + q(tab.path), { content, etag: overwrite ? tab.diskEtag : etag });
      tab.etag = res.etag;
      tab.saved = doc;
      tab.deleted = false;
      tab.banner = null;
      this.setDirty(tab, !tab.view.state.doc.eq(doc));
      if (tab === this.active) this.renderBanner();
      this.status.msg.textContent = `Saved ${basename(tab.path)}`;
      this.tree.invalidate(dirname(tab.path));
      this.checkHash(tab.path);
      return true;
    } catch (err) {
      if (err instanceof APIError && err.status === 409) {
        return this.conflict(tab, err);
      }
      toast(`Cannot save ${tab.path}: ${err.message}`, "error");
      return false;
    }
  }

  // conflict asks what to do when the file changed on disk since it was read.
  async conflict(tab, err) {
    const v = await openDialog({
      title: "File changed on disk",
      className: "conflict-dialog",
      body: [
        h("p", `${tab.path} was changed on disk since you opened it. Your changes are not saved yet.`),
        h("p.muted", err.message),
      ],
      buttons: [
        { label: "Cancel", value: "cancel" },
        { label: "Reload from disk (discard mine)", value: "reload", danger: true },
        { label: "Compare…", value: "diff" },
        { label: "Overwrite disk", value: "overwrite", primary: true },
      ],
    });
    if (v === "reload") {
      await this.reload(tab);
      return false;
    }
    if (v === "overwrite") {
      const etag = await this.diskEtag(tab, err);
      if (etag === undefined) return false;
      tab.diskEtag = etag;
      return this.save(tab, { overwrite: true });
    }
    if (v === "diff") return this.compare(tab);
    return false;
  }

  async diskEtag(tab, err) {
    if (err && err.body && err.body.detail && err.body.detail.etag) return err.body.detail.etag;
    try {
      return (await api("GET", "/api/file?path=" + q(tab.path))).etag;
    } catch (e) {
      if (e instanceof APIError && e.status === 404) return null;
      toast(e.message, "error");
      return undefined;
    }
  }

  // compare shows the disk version next to the editor's, lets the user merge
  // chunks, and saves the result.
  async compare(tab) {
    let disk;
    try {
      disk = await api("GET", "/api/file?path=" + q(tab.path));
    } catch (err) {
      toast(`Cannot read ${tab.path}: ${err.message}`, "error");
      return false;
    }
    const holder = h("div.merge-holder");
    const lang = languageFor(tab.path);
    const exts = [lineNumbers(), syntaxHighlighting(highlight), baseTheme, lang || []];
    const mv = new MergeView({
      a: { doc: disk.content, extensions: [...exts, EditorState.readOnly.of(true), EditorView.editable.of(false)] },
      b: { doc: tab.view.state.doc.toString(), extensions: exts },
      parent: holder,
      revertControls: "a-to-b",
      collapseUnchanged: { margin: 3, minSize: 6 },
      highlightChanges: true,
      gutter: true,
    });
    const v = await openDialog({
      title: `Compare: ${tab.path}`,
      className: "merge-dialog",
      body: [
        h("div.merge-labels", h("span", "On disk (read only)"), h("span", "Yours (editable; arrows take the disk version)")),
        holder,
      ],
      buttons: [
        { label: "Cancel", value: "cancel" },
        { label: "Take disk version", value: "disk", danger: true },
        { label: "Save mine", value: "mine", primary: true },
      ],
    });
    const merged = mv.b.state.doc.toString();
    mv.destroy();
    if (v === "disk") {
      this.replaceContent(tab, disk.content, disk.etag);
      return false;
    }
    if (v === "mine") {
      tab.view.dispatch({ changes: { from: 0, to: tab.view.state.doc.length, insert: merged } });
      tab.diskEtag = disk.etag;
      return this.save(tab, { overwrite: true });
    }
    return false;
  }

  async reload(tab) {
    try {
      const data = await api("GET", "/api/file?path=" + q(tab.path));
      this.replaceContent(tab, data.content, data.etag);
    } catch (err) {
      toast(`Cannot reload ${tab.path}: ${err.message}`, "error");
    }
  }

  // replaceContent sets the tab's document to content as saved on disk,
  // keeping the cursor where it was when possible.
  replaceContent(tab, content, etag) {
    const view = tab.view;
    const head = Math.min(view.state.selection.main.head, content.length);
    if (view.state.doc.toString() !== content) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: content }, selection: { anchor: head } });
    }
    tab.saved = view.state.doc;
    tab.etag = etag;
    tab.deleted = false;
    tab.banner = null;
    this.setDirty(tab, false);
    if (tab === this.active) this.renderBanner();
  }

  renderBanner() {
    const tab = this.active;
    this.bannerEl.replaceChildren();
    this.bannerEl.hidden = !(tab && tab.banner);
    if (!tab || !tab.banner) return;
    const buttons = tab.banner === "deleted"
      ? [h("button.btn", { type: "button", onclick: () => this.save(tab) }, "Save to recreate"),
        h("button.btn", { type: "button", onclick: () => this.closeTab(tab, true) }, "Close")]
      : [h("button.btn", { type: "button", onclick: () => this.compare(tab) }, "Compare…"),
        h("button.btn", { type: "button", onclick: () => this.reload(tab) }, "Reload (discard mine)"),
        h("button.btn", {
          type: "button",
          onclick: () => {
            tab.banner = null;
            this.renderBanner();
          },
        }, "Keep mine")];
    this.bannerEl.append(
      h("span", tab.banner === "deleted" ? `${tab.path} was deleted on disk.` : `${tab.path} changed on disk while you have unsaved changes.`),
      ...buttons,
    );
  }

  // recheckOutsideProject reloads the tabs of files outside project/ after
  // a build, which rewrites such files: live file events cover project/
  // only. A dirty tab gets the "changed on disk" banner instead.
  async recheckOutsideProject() {
    for (const tab of this.tabs.filter((tb) => !under(tb.path, "project"))) {
      await this.fileEvent({ type: "file", path: tab.path, op: "write" });
    }
  }

  // fileEvent handles a change on disk reported by /api/events.
  async fileEvent(ev) {
    this.fileIndex = null;
    this.tree.invalidate(dirname(ev.path));
    if (ev.op === "rename" || ev.op === "remove") this.tree.invalidate(ev.path);
    for (const tab of this.tabs.filter((tb) => under(tb.path, ev.path))) {
      const path = tab.path;
      let data;
      try {
        data = await api("GET", "/api/file?path=" + q(path));
        if (tab.path !== path) continue; // renamed meanwhile
      } catch (err) {
        if (tab.path !== path) continue;
        if (err instanceof APIError && (err.status === 404 || err.status === 400)) {
          tab.deleted = true;
          tab.banner = "deleted";
          if (tab === this.active) this.renderBanner();
        }
        continue;
      }
      if (data.etag === tab.etag) continue;
      if (tab.saved.toString() === data.content) {
        tab.etag = data.etag;
        continue;
      }
      if (!tab.dirty) {
        this.replaceContent(tab, data.content, data.etag);
        this.status.msg.textContent = `Reloaded ${basename(tab.path)} (changed on disk)`;
      } else {
        tab.banner = "changed";
        if (tab === this.active) this.renderBanner();
      }
    }
  }

  // pathsMoved updates the tabs after a rename of from to to.
  pathsMoved(from, to) {
    for (const tab of this.tabs) {
      if (!under(tab.path, from)) continue;
      const np = to + tab.path.slice(from.length);
      tab.path = np;
      tab.el.dataset.path = np;
      tab.el.title = np;
      tab.el.querySelector(".tab-name").textContent = basename(np);
      tab.view.dom.dataset.path = np;
      tab.view.dispatch({ effects: [tab.lang.reconfigure(languageFor(np) || []), tab.intel.reconfigure(intelExtensions(this, tab))] });
      // A "deleted on disk" seen for the old path meanwhile is not one.
      tab.deleted = false;
      if (tab.banner === "deleted") tab.banner = null;
      if (tab === this.active) {
        this.status.path.textContent = np;
        this.renderBanner();
      }
    }
    this.persist();
  }

  pathsDeleted(path) {
    for (const tab of this.tabs.filter((tb) => under(tb.path, path))) this.closeTab(tab, true);
  }

  toggleFullscreen(force) {
    const on = document.body.classList.toggle("fullscreen", force);
    const btn = document.getElementById("fullscreen");
    if (btn) btn.setAttribute("aria-pressed", String(on));
    store.set("fullscreen", on);
    if (this.active) this.active.view.focus();
  }

  find() {
    if (this.active) {
      openSearchPanel(this.active.view);
    }
  }

  // listFiles returns every file under project/ (cached until a file event).
  async listFiles() {
    if (this.fileIndex) return this.fileIndex;
    const out = [];
    const walk = async (dir, depth) => {
      if (depth > 12 || out.length > 20000) return;
      let entries;
      try {
        entries = (await api("GET", "/api/files?path=" + q(dir))).entries || [];
      } catch {
        return;
      }
      const subdirs = [];
      for (const e of entries) {
        if (e.type === "dir") {
          if (!/^(\.git|node_modules|__pycache__)$/.test(e.name)) subdirs.push(e.path);
        } else {
          out.push(e.path);
          this.fileSizes.set(e.path, e.size || 0);
        }
      }
      await Promise.all(subdirs.map((d) => walk(d, depth + 1)));
    };
    await walk("project", 0);
    out.sort();
    this.fileIndex = out;
    return out;
  }

  // quickOpen opens the Ctrl/Cmd-P file finder.
  async quickOpen() {
    const input = h("input.input.quick-input", { type: "text", placeholder: "Type a file name…", "aria-label": "File name", spellcheck: "false", role: "combobox", "aria-controls": "quick-list", "aria-expanded": "true" });
    const list = h("ul.quick-list#quick-list", { role: "listbox" });
    let files = [];
    let shown = [];
    let sel = 0;
    const render = () => {
      shown = fuzzyFilter(files, input.value).slice(0, 50);
      sel = Math.min(sel, Math.max(0, shown.length - 1));
      list.replaceChildren(...shown.map((p, i) => h("li.quick-item" + (i === sel ? ".selected" : ""), {
        role: "option",
        "aria-selected": String(i === sel),
        dataset: { path: p },
        onclick: () => pick(p),
      }, h("span.quick-name", basename(p)), h("span.quick-dir", dirname(p)))));
      const s = list.querySelector(".selected");
      if (s) s.scrollIntoView({ block: "nearest" });
    };
    let dlgDone;
    const pick = (p) => {
      dlgDone = p;
      input.closest("dialog").querySelector(".btn.primary").click();
    };
    input.addEventListener("input", () => {
      sel = 0;
      render();
    });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown") sel = Math.min(sel + 1, shown.length - 1);
      else if (ev.key === "ArrowUp") sel = Math.max(sel - 1, 0);
      else if (ev.key === "Enter") {
        ev.preventDefault();
        if (shown[sel]) pick(shown[sel]);
        return;
      } else return;
      ev.preventDefault();
      render();
    });
    const p = openDialog({
      title: "Go to file",
      className: "quick-dialog",
      body: [input, list],
      buttons: [{ label: "Cancel", value: false }, { label: "Open", value: true, primary: true }],
      initialFocus: ".quick-input",
    });
    files = await this.listFiles();
    render();
    const ok = await p;
    const target = dlgDone || (ok && shown[sel]);
    if (ok && target) this.openFile(target);
  }

  // searchFiles opens the Ctrl/Cmd-Shift-F search in the files of project/.
  async searchFiles() {
    const input = h("input.input.quick-input", { type: "search", placeholder: "Text to find in project/ (case-insensitive)", "aria-label": "Text to find", spellcheck: "false" });
    const status = h("p.muted.search-status", { role: "status" });
    const list = h("ul.quick-list.search-results");
    let run = 0;
    const search = async () => {
      const needle = input.value;
      const id = ++run;
      list.replaceChildren();
      if (!needle.trim()) {
        status.textContent = "";
        return;
      }
      const lower = needle.toLowerCase();
      const files = (await this.listFiles()).filter((p) => (this.fileSizes.get(p) || 0) < 1 << 20);
      let done = 0;
      let hits = 0;
      const max = 1000;
      const queue = files.slice();
      const worker = async () => {
        while (queue.length && id === run && hits < max) {
          const path = queue.shift();
          let content;
          const open = this.tabFor(path);
          if (open) content = open.view.state.doc.toString();
          else {
            try {
              content = (await api("GET", "/api/file?path=" + q(path))).content;
            } catch {
              content = ""; // binary or vanished
            }
          }
          if (id !== run) return;
          done++;
          const lines = content.split("\n");
          for (let i = 0; i < lines.length && hits < max; i++) {
            const at = lines[i].toLowerCase().indexOf(lower);
            if (at < 0) continue;
            hits++;
            const text = lines[i];
            const start = Math.max(0, at - 40);
            list.append(h("li.quick-item.search-hit", {
              role: "option",
              tabindex: "0",
              dataset: { path, line: String(i + 1) },
              onclick: () => pick(path, i + 1),
              onkeydown: (ev) => {
                if (ev.key === "Enter") pick(path, i + 1);
              },
            },
            h("span.quick-dir", `${path}:${i + 1}`),
            h("span.search-text", (start ? "…" : "") + text.slice(start, at), h("mark", text.slice(at, at + needle.length)), text.slice(at + needle.length, at + needle.length + 80))));
          }
          status.textContent = `${hits}${hits >= max ? "+" : ""} match(es) in ${done}/${files.length} files`;
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      if (id === run) status.textContent = `${hits}${hits >= max ? "+ (stopped)" : ""} match(es) in ${files.length} files`;
    };
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        clearTimeout(timer);
        search();
      } else if (ev.key === "ArrowDown") {
        const first = list.querySelector(".search-hit");
        if (first) {
          ev.preventDefault();
          first.focus();
        }
      }
    });
    list.addEventListener("keydown", (ev) => {
      const items = [...list.querySelectorAll(".search-hit")];
      const i = items.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && items[i + 1]) items[i + 1].focus();
      else if (ev.key === "ArrowUp") (items[i - 1] || input).focus();
      else return;
      ev.preventDefault();
    });
    let picked = null;
    const pick = (path, line) => {
      picked = { path, line };
      run++;
      input.closest("dialog").querySelector(".btn").click();
    };
    await openDialog({
      title: "Search in files",
      className: "quick-dialog search-dialog",
      body: [input, status, list],
      buttons: [{ label: "Close", value: false }],
      initialFocus: ".quick-input",
    });
    run++;
    if (picked) this.openFile(picked.path, { line: picked.line });
  }

  // getMD5 shows the md5 sum of the active file (as saved on disk).
  async getMD5() {
    const tab = this.active;
    if (!tab) {
      toast("Open a file first", "info");
      return;
    }
    if (tab.dirty) toast("The file has unsaved changes: the md5 sum is of the saved file.", "info");
    try {
      const res = await api("GET", "/api/md5?path=" + q(tab.path));
      this.status.md5.replaceChildren(
        h("span.md5-label", "md5 "),
        h("code.md5-value", { title: `md5 of ${res.path}`, tabindex: "0" }, res.md5),
        copyButton(res.md5, "Copy md5 sum"),
      );
    } catch (err) {
      toast(`Cannot compute md5: ${err.message}`, "error");
    }
  }

  // checkHash warns when path is listed in the buildout.hash.cfg of its
  // folder with an md5sum that no longer matches the file.
  async checkHash(path) {
    if (basename(path) === "buildout.hash.cfg") return;
    const dir = dirname(path);
    const hashPath = (dir ? dir + "/" : "") + "buildout.hash.cfg";
    let hashFile;
    try {
      hashFile = await api("GET", "/api/file?path=" + q(hashPath));
    } catch {
      return; // no hash file here
    }
    const recorded = hashEntries(hashFile.content).find((e) => e.filename === basename(path));
    if (!recorded || !recorded.md5sum) return;
    let md5;
    try {
      md5 = (await api("GET", "/api/md5?path=" + q(path))).md5;
    } catch {
      return;
    }
    if (md5 === recorded.md5sum) return;
    toast(`${basename(path)} changed: its md5sum in buildout.hash.cfg [${recorded.section}] is out of date.`, "warn", 6000, {
      label: "Update buildout.hash.cfg",
      run: () => this.updateHashFile(),
    });
  }

  // updateHashFile updates buildout.hash.cfg (the one beside the active file
  // when there is one, else the current release's) and shows what changed.
  async updateHashFile() {
    const dirty = this.dirtyTabs();
    if (dirty.length) {
      const ok = await confirmDialog("Unsaved changes",
        `Save ${dirty.length} modified file(s) first? The md5 sums are computed from the files on disk.`, "Save all and update");
      if (!ok) return;
      for (const tb of dirty) if (!(await this.save(tb))) return;
    }
    const body = {};
    if (this.active) {
      const dir = dirname(this.active.path);
      const candidate = (dir ? dir + "/" : "") + "buildout.hash.cfg";
      try {
        const entries = (await api("GET", "/api/files?path=" + q(dir))).entries || [];
        if (entries.some((e) => e.path === candidate)) body.path = candidate;
      } catch {
        // Fall back to the release's hash file.
      }
    }
    let res;
    try {
      res = await api("POST", "/api/md5", body);
    } catch (err) {
      toast(`Cannot update buildout.hash.cfg: ${err.message}`, "error");
      return;
    }
    const updated = res.updated || [];
    let hashPath = body.path;
    if (!hashPath) {
      try {
        const rel = await api("GET", "/api/release");
        hashPath = dirname(rel.profile) + "/buildout.hash.cfg";
      } catch {
        hashPath = null;
      }
    }
    const hashTab = hashPath && this.tabFor(hashPath);
    if (hashTab) {
      if (hashTab.dirty) {
        hashTab.banner = "changed";
        if (hashTab === this.active) this.renderBanner();
      } else await this.reload(hashTab);
    }
    await openDialog({
      title: "buildout.hash.cfg updated",
      className: "md5-dialog",
      body: updated.length === 0
        ? h("p", `Every md5sum in ${hashPath || "buildout.hash.cfg"} is up to date.`)
        : [
          h("p", `${updated.length} entr${updated.length === 1 ? "y" : "ies"} updated in ${hashPath || "buildout.hash.cfg"}:`),
          h("table.table.md5-table",
            h("thead", h("tr", h("th", "Section"), h("th", "File"), h("th", "Old md5"), h("th", "New md5"))),
            h("tbody", updated.map((u) => h("tr",
              h("td", u.section), h("td", u.filename), h("td", h("code", u.old || "—")), h("td", h("code", u.new)))))),
        ],
      buttons: hashPath
        ? [{ label: "Open buildout.hash.cfg", value: "open" }, { label: "Close", value: true, primary: true }]
        : [{ label: "Close", value: true, primary: true }],
    }).then((v) => {
      if (v === "open") this.openFile(hashPath);
    });
  }
}

// hashEntries parses buildout.hash.cfg: its sections with their filename
// and md5sum.
export function hashEntries(text) {
  const out = [];
  let cur = null;
  for (const line of text.split("\n")) {
    const sec = line.match(/^\[([^\]]+)\]/);
    if (sec) {
      cur = { section: sec[1], filename: "", md5sum: "" };
      out.push(cur);
      continue;
    }
    const opt = line.match(/^(filename|md5sum)\s*=\s*(\S*)/);
    if (cur && opt) cur[opt[1]] = opt[2];
  }
  return out;
}

// fuzzyFilter returns the paths matching query (characters in order),
// best first: matches in the base name and contiguous matches score higher.
export function fuzzyFilter(paths, query) {
  query = query.trim().toLowerCase();
  if (!query) return paths.slice();
  const scored = [];
  for (const p of paths) {
    const lp = p.toLowerCase();
    let qi = 0;
    let score = 0;
    let last = -2;
    const baseStart = lp.lastIndexOf("/") + 1;
    for (let i = 0; i < lp.length && qi < query.length; i++) {
      if (lp[i] === query[qi]) {
        score += 1;
        if (i === last + 1) score += 2;
        if (i >= baseStart) score += 2;
        if (i === baseStart || lp[i - 1] === "/" || lp[i - 1] === "." || lp[i - 1] === "-") score += 3;
        last = i;
        qi++;
      }
    }
    if (qi === query.length) {
      if (lp.slice(baseStart).includes(query)) score += 20;
      scored.push([score - p.length / 100, p]);
    }
  }
  scored.sort((a, b) => b[0] - a[0]);
  return scored.map((s) => s[1]);
}

// Tree is the workspace file tree (project, software, instance roots).
class Tree {
  constructor(el, editor) {
    this.el = el;
    this.editor = editor;
    this.roots = ["project", "software", "instance"];
    this.children = new Map(); // dir -> entries
    this.expanded = new Set(store.get("expanded", ["project"]));
    this.selected = null;
    el.addEventListener("keydown", (ev) => this.key(ev));
    el.addEventListener("click", (ev) => {
      const row = ev.target.closest(".tree-row");
      if (!row) return;
      this.select(row.dataset.path);
      if (row.dataset.type === "dir") this.toggle(row.dataset.path);
      else {
        this.editor.openFile(row.dataset.path);
        // On a narrow window the tree covers the editor: get it out of the way.
        if (this.editor.app.isNarrow()) this.editor.app.toggleSidebar(true, false);
      }
    });
    el.addEventListener("contextmenu", (ev) => {
      const row = ev.target.closest(".tree-row");
      if (!row) return;
      ev.preventDefault();
      this.select(row.dataset.path);
      this.contextMenu(ev.clientX, ev.clientY, row.dataset);
    });
  }

  async init() {
    await Promise.all([...this.expanded].map((d) => this.load(d)));
    this.render();
  }

  async load(dir) {
    try {
      const res = await api("GET", "/api/files?path=" + q(dir));
      const entries = (res.entries || []).slice().sort((a, b) =>
        (a.type === b.type ? 0 : a.type === "dir" ? -1 : 1) || a.name.localeCompare(b.name));
      this.children.set(dir, entries);
    } catch (err) {
      this.children.set(dir, { error: err.status === 404 ? "not created yet" : err.message });
    }
  }

  // invalidate reloads dir's listing if it is shown.
  invalidate(dir) {
    if (!this.children.has(dir)) return;
    clearTimeout(this.pending);
    this.dirty = this.dirty || new Set();
    this.dirty.add(dir);
    this.pending = setTimeout(async () => {
      const dirs = [...this.dirty];
      this.dirty.clear();
      await Promise.all(dirs.filter((d) => this.children.has(d) && this.expanded.has(d)).map((d) => this.load(d)));
      for (const d of dirs) if (!this.expanded.has(d)) this.children.delete(d);
      this.render();
    }, 150);
  }

  async refresh() {
    this.children.clear();
    this.editor.fileIndex = null;
    await this.init();
  }

  collapseAll() {
    this.expanded.clear();
    store.set("expanded", []);
    this.render();
  }

  async toggle(dir, open) {
    const willOpen = open === undefined ? !this.expanded.has(dir) : open;
    if (willOpen) {
      this.expanded.add(dir);
      if (!this.children.has(dir)) await this.load(dir);
    } else this.expanded.delete(dir);
    store.set("expanded", [...this.expanded]);
    this.render();
  }

  // reveal expands the parents of path and selects it.
  async reveal(path) {
    const parts = path.split("/");
    let changed = false;
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!this.expanded.has(d)) {
        this.expanded.add(d);
        changed = true;
      }
      const child = parts.slice(0, i + 1).join("/");
      const kids = this.children.get(d);
      // Load the folder, or reload it when it does not list the next part yet
      // (created on disk and its event not handled yet).
      if (!kids || kids.error || !kids.some((k) => k.path === child)) await this.load(d);
    }
    if (changed) store.set("expanded", [...this.expanded]);
    this.selected = path;
    this.render();
  }

  select(path) {
    this.selected = path;
    for (const r of this.el.querySelectorAll(".tree-row")) {
      const on = r.dataset.path === path;
      r.classList.toggle("selected", on);
      r.setAttribute("aria-selected", String(on));
      r.tabIndex = on ? 0 : -1;
    }
  }

  // render updates the rows in place: rows that stay keep their element (and
  // focus); only added, removed or moved rows touch the DOM.
  render() {
    const rows = [];
    const cache = this.rows || new Map();
    const used = new Map();
    const row = (path, name, type, level) => {
      const key = type + ":" + path;
      let el = cache.get(key);
      if (!el) {
        el = h("div.tree-row", { role: "treeitem", dataset: { path, type }, title: path },
          h("span.tree-twisty", { "aria-hidden": "true" }),
          h("span.tree-icon." + (type === "dir" ? "dir" : "file"), { "aria-hidden": "true" }),
          h("span.tree-name", name));
      }
      const open = type === "dir" && this.expanded.has(path);
      const selected = path === this.selected;
      el.setAttribute("aria-level", String(level));
      if (type === "dir") el.setAttribute("aria-expanded", String(open));
      el.setAttribute("aria-selected", String(selected));
      el.tabIndex = selected ? 0 : -1;
      el.classList.toggle("selected", selected);
      el.classList.toggle("active-file", !!this.editor.active && this.editor.active.path === path);
      el.firstChild.textContent = type === "dir" ? (open ? "▾" : "▸") : "";
      el.style.paddingLeft = (level - 1) * 14 + 6 + "px";
      used.set(key, el);
      return el;
    };
    const note = (path, text, level) => {
      const key = "note:" + path;
      const el = cache.get(key) || h("div.tree-note");
      el.textContent = text;
      el.style.paddingLeft = level * 14 + 20 + "px";
      used.set(key, el);
      return el;
    };
    const add = (path, name, type, level) => {
      rows.push(row(path, name, type, level));
      if (type !== "dir" || !this.expanded.has(path)) return;
      const kids = this.children.get(path);
      if (!kids) return;
      if (kids.error) {
        rows.push(note(path, kids.error, level));
        return;
      }
      if (kids.length === 0) rows.push(note(path, "empty", level));
      for (const k of kids) add(k.path, k.name, k.type, level + 1);
    };
    for (const r of this.roots) add(r, r, "dir", 1);
    this.rows = used;
    const focused = this.el.contains(document.activeElement) ? document.activeElement : null;
    setChildren(this.el, rows);
    if (!this.el.querySelector('[tabindex="0"]') && rows[0]) rows[0].tabIndex = 0;
    if (focused && document.activeElement !== focused) {
      // The focused row moved or went away: keep the focus in the tree.
      const s = this.el.contains(focused) ? focused : this.el.querySelector('[tabindex="0"]');
      if (s) s.focus();
    }
  }

  key(ev) {
    const rows = [...this.el.querySelectorAll(".tree-row")];
    const cur = ev.target.closest(".tree-row");
    const i = rows.indexOf(cur);
    if (i < 0) return;
    const d = cur.dataset;
    const move = (j) => {
      const r = rows[Math.max(0, Math.min(rows.length - 1, j))];
      this.select(r.dataset.path);
      r.focus();
    };
    switch (ev.key) {
      case "ArrowDown": move(i + 1); break;
      case "ArrowUp": move(i - 1); break;
      case "Home": move(0); break;
      case "End": move(rows.length - 1); break;
      case "ArrowRight":
        if (d.type === "dir" && !this.expanded.has(d.path)) this.toggle(d.path, true);
        else move(i + 1);
        break;
      case "ArrowLeft":
        if (d.type === "dir" && this.expanded.has(d.path)) this.toggle(d.path, false);
        else {
          const parent = dirname(d.path);
          const j = rows.findIndex((r) => r.dataset.path === parent);
          if (j >= 0) move(j);
        }
        break;
      case "Enter":
        if (d.type === "dir") this.toggle(d.path);
        else this.editor.openFile(d.path);
        break;
      case "F2": this.renameSelected(); break;
      case "Delete": this.deleteSelected(); break;
      default: return;
    }
    ev.preventDefault();
  }

  contextMenu(x, y, d) {
    document.querySelectorAll(".context-menu").forEach((m) => m.remove());
    const item = (label, f) => h("button.menu-item", { type: "button", role: "menuitem", onclick: () => {
      menu.remove();
      f();
    } }, label);
    const menu = h("div.context-menu.menu", { role: "menu" },
      d.type === "file" ? item("Open", () => this.editor.openFile(d.path)) : null,
      d.type === "file" ? item("Get MD5 sum", async () => {
        await this.editor.openFile(d.path);
        this.editor.getMD5();
      }) : null,
      d.type === "file" && /\.cfg$/.test(d.path) && d.path.startsWith("project/")
        ? item("Set as current software release", () => this.editor.app.setRelease(d.path)) : null,
      item("New file…", () => this.createEntry("file")),
      item("New folder…", () => this.createEntry("dir")),
      this.roots.includes(d.path) ? null : item("Rename…", () => this.renameSelected()),
      this.roots.includes(d.path) ? null : item("Delete…", () => this.deleteSelected()),
      d.type === "file" ? h("a.menu-item", { role: "menuitem", href: "/api/download?path=" + q(d.path), download: d.path.split("/").pop() }, "Download") : null,
    );
    menu.style.left = x + "px";
    menu.style.top = y + "px";
    document.body.append(menu);
    const first = menu.querySelector(".menu-item");
    if (first) first.focus();
    const close = (ev) => {
      if (ev.type === "keydown" && ev.key !== "Escape") return;
      if (ev.type === "mousedown" && menu.contains(ev.target)) return;
      menu.remove();
      document.removeEventListener("mousedown", close, true);
      document.removeEventListener("keydown", close, true);
    };
    document.addEventListener("mousedown", close, true);
    document.addEventListener("keydown", close, true);
  }

  selectedDir() {
    const s = this.selected || "project";
    const row = this.el.querySelector(`.tree-row[data-path="${CSS.escape(s)}"]`);
    if (row && row.dataset.type === "dir") return s;
    if (this.roots.includes(s)) return s;
    return dirname(s) || "project";
  }

  async createEntry(type) {
    const dir = this.selectedDir();
    const name = await promptDialog(type === "dir" ? "New folder" : "New file", `Name (in ${dir}/)`);
    if (!name) return;
    const path = dir + "/" + name.replace(/^\/+/, "");
    try {
      if (type === "dir") await api("POST", "/api/dir?path=" + q(path));
      else await api("PUT", "/api/file?path=" + q(path), { content: "", etag: null });
    } catch (err) {
      toast(`Cannot create ${path}: ${err.message}`, "error");
      return;
    }
    await this.load(dir);
    this.expanded.add(dir);
    this.editor.fileIndex = null;
    if (type === "file") await this.editor.openFile(path);
    else await this.reveal(path);
    this.select(path);
  }

  async renameSelected() {
    const from = this.selected;
    if (!from || this.roots.includes(from)) return;
    const to = await promptDialog("Rename", `New path of ${from}`, from);
    if (!to || to === from) return;
    try {
      await api("POST", "/api/file/move", { from, to });
    } catch (err) {
      toast(`Cannot rename ${from}: ${err.message}`, "error");
      return;
    }
    this.editor.pathsMoved(from, to);
    this.editor.fileIndex = null;
    await Promise.all([this.load(dirname(from)), this.load(dirname(to))]);
    await this.reveal(to);
  }

  async deleteSelected() {
    const path = this.selected;
    if (!path || this.roots.includes(path)) return;
    const row = this.el.querySelector(`.tree-row[data-path="${CSS.escape(path)}"]`);
    const isDir = row && row.dataset.type === "dir";
    const ok = await confirmDialog(isDir ? "Delete folder" : "Delete file",
      isDir ? `Delete the folder ${path} and everything in it? This cannot be undone.` : `Delete ${path}? This cannot be undone.`,
      "Delete", true);
    if (!ok) return;
    try {
      await api("DELETE", "/api/file?path=" + q(path));
    } catch (err) {
      toast(`Cannot delete ${path}: ${err.message}`, "error");
      return;
    }
    this.editor.pathsDeleted(path);
    this.editor.fileIndex = null;
    this.children.delete(path);
    this.expanded.delete(path);
    this.selected = dirname(path);
    await this.load(dirname(path));
    this.render();
  }
}
