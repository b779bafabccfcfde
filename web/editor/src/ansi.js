// Rendering of ANSI SGR colour sequences (ESC [ … m) as styled spans.

import { h } from "./ui.js";

const sgrRE = /\x1b\[([0-9;]*)m/g;
// Other escape sequences (cursor movement, erase…) are dropped.
const otherRE = /\x1b\[[0-9;?]*[A-Za-ln-z]|\x1b\][^\x07]*\x07|\r/g;

// ansiToNodes renders text with ANSI colours as nodes; plain runs go
// through wrap (e.g. to add links), which returns strings or nodes.
export function ansiToNodes(text, wrap = (s) => [s]) {
  text = text.replace(otherRE, "");
  const out = [];
  let style = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
  let last = 0;
  const flush = (s) => {
    if (!s) return;
    const classes = [];
    if (style.fg !== null) classes.push("ansi-fg-" + style.fg);
    if (style.bg !== null) classes.push("ansi-bg-" + style.bg);
    if (style.bold) classes.push("ansi-bold");
    if (style.dim) classes.push("ansi-dim");
    if (style.italic) classes.push("ansi-italic");
    if (style.underline) classes.push("ansi-underline");
    const parts = wrap(s);
    if (!classes.length) out.push(...parts);
    else {
      const span = h("span", parts);
      span.className = classes.join(" ");
      out.push(span);
    }
  };
  sgrRE.lastIndex = 0;
  for (let m; (m = sgrRE.exec(text));) {
    flush(text.slice(last, m.index));
    last = m.index + m[0].length;
    style = applySGR(style, m[1]);
  }
  flush(text.slice(last));
  return out;
}

// applySGR returns style updated by the parameters of one SGR sequence.
export function applySGR(style, params) {
  const s = { ...style };
  const codes = params === "" ? [0] : params.split(";").map(Number);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) Object.assign(s, { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false });
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c >= 30 && c <= 37) s.fg = c - 30;
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = c - 40;
    else if (c === 49) s.bg = null;
    else if (c >= 90 && c <= 97) s.fg = c - 90 + 8;
    else if (c >= 100 && c <= 107) s.bg = c - 100 + 8;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      // 256 colours: map the first 16; approximate the rest as bright white.
      const n = codes[i + 2];
      const v = n < 16 ? n : 15;
      if (c === 38) s.fg = v;
      else s.bg = v;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      i += 4; // true colour: ignored
    }
  }
  return s;
}
