// Language intelligence of the editor, computed by the server
// (/api/lang/*): diagnostics as you type, go to definition (F12,
// Ctrl/Cmd-click) and hover, for buildout profiles and Jinja2 templates.

import { linter, lintGutter, lintKeymap, forEachDiagnostic } from "@codemirror/lint";
import { hoverTooltip, keymap, EditorView } from "@codemirror/view";
import { autocompletion } from "@codemirror/autocomplete";

import { api } from "./api.js";

// langKind mirrors lang.Kind on the server.
export function langKind(path) {
  if (/\.cfg$/.test(path)) return "buildout";
  if (/\.(in|jinja2)$/.test(path)) return "jinja2";
  return "";
}

// position returns the 1-based line and column of offset pos in the document.
function position(state, pos) {
  const line = state.doc.lineAt(pos);
  return { line: line.number, column: pos - line.from + 1 };
}

// intelExtensions returns the extensions of a tab: tab.path is read at
// each request (tabs are renamed); editor opens definitions and shows the
// diagnostics count.
export function intelExtensions(editor, tab) {
  const kind = langKind(tab.path);
  if (!kind) return [];
  const exts = [
    linter(async (view) => {
      const content = view.state.doc.toString();
      let res;
      try {
        res = await api("POST", "/api/lang/diagnostics", { path: tab.path, content });
      } catch {
        return [];
      }
      const doc = view.state.doc;
      const out = (res.diagnostics || []).map((d) => {
        const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
        const from = d.column ? Math.min(line.from + d.column - 1, line.to) : line.from;
        // A reference (at a column) is underlined up to its "}".
        const close = d.column ? line.text.indexOf("}", from - line.from) : -1;
        const to = close >= 0 ? line.from + close + 1 : line.to;
        return { from, to, severity: d.severity === "warning" ? "warning" : "error", message: d.message, source: kind };
      });
      return out;
    }, { delay: 500 }),
    lintGutter(),
    keymap.of(lintKeymap),
    EditorView.updateListener.of((u) => {
      if (tab === editor.active && u.transactions.some((tr) => tr.effects.length)) editor.updateDiagnostics();
    }),
  ];
  if (kind !== "buildout") return exts;
  const definition = async (view, pos) => {
    const { line, column } = position(view.state, pos);
    let res;
    try {
      res = await api("POST", "/api/lang/definition", { path: tab.path, line, column, content: view.state.doc.toString() });
    } catch (err) {
      editor.status.msg.textContent = err.status === 404 ? "No definition found here" : `Go to definition: ${err.message}`;
      return;
    }
    editor.openFile(res.path, { line: res.line });
  };
  exts.push(
    keymap.of([{ key: "F12", run: (view) => (definition(view, view.state.selection.main.head), true) }]),
    EditorView.domEventHandlers({
      mousedown(ev, view) {
        if (!(ev.ctrlKey || ev.metaKey) || ev.button !== 0) return false;
        const pos = view.posAtCoords({ x: ev.clientX, y: ev.clientY });
        if (pos == null) return false;
        ev.preventDefault();
        definition(view, pos);
        return true;
      },
    }),
    autocompletion({ override: [(context) => complete(tab, context)] }),
    hoverTooltip(async (view, pos) => {
      const { line, column } = position(view.state, pos);
      let res;
      try {
        res = await api("POST", "/api/lang/hover", { path: tab.path, line, column, content: view.state.doc.toString() });
      } catch {
        return null;
      }
      if (!res || !res.text) return null;
      return {
        pos,
        create() {
          const dom = document.createElement("div");
          dom.className = "cm-lang-hover";
          dom.textContent = res.text;
          return { dom };
        },
      };
    }, { hoverTime: 400 }),
  );
  return exts;
}

// complete proposes section names after "${" and option names after
// "${section:" (or "${:", the current section), from /api/lang/completion.
async function complete(tab, context) {
  const m = context.matchBefore(/\$\{[^}\s:$]*(:[^}\s:$]*)?$/);
  if (!m || context.state.sliceDoc(m.from - 1, m.from) === "$") return null;
  const colon = m.text.indexOf(":");
  const from = colon >= 0 ? m.from + colon + 1 : m.from + 2;
  const { line, column } = position(context.state, context.pos);
  let res;
  try {
    res = await api("POST", "/api/lang/completion", { path: tab.path, line, column, content: context.state.doc.toString() });
  } catch {
    return null;
  }
  if (context.aborted) return null;
  return {
    from,
    options: (res.items || []).map((it) => ({ label: it.label, detail: it.detail, type: it.kind === "section" ? "class" : "property" })),
    validFor: /^[\w.-]*$/,
  };
}

// diagnosticsCount returns the number of errors and warnings shown in view.
export function diagnosticsCount(state) {
  let errors = 0;
  let warnings = 0;
  forEachDiagnostic(state, (d) => {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
  });
  return { errors, warnings };
}
