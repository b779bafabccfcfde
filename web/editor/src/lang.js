// Syntax highlighting: buildout profiles (.cfg), Jinja2 templates (.in,
// .jinja2, which are usually buildout profiles with Jinja2 inside), Python,
// shell and JSON.

import { StreamLanguage, LanguageSupport, foldService } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { json } from "@codemirror/lang-json";
import { shell } from "@codemirror/legacy-modes/mode/shell";

const jinjaKeywords = new Set([
  "if", "elif", "else", "endif", "for", "endfor", "in", "not", "and", "or",
  "is", "set", "endset", "macro", "endmacro", "call", "endcall", "filter",
  "endfilter", "block", "endblock", "extends", "include", "import", "from",
  "as", "with", "endwith", "raw", "endraw", "do", "true", "false", "none",
  "True", "False", "None", "recursive", "loop",
]);

// jinjaToken tokenizes inside {{ … }}, {% … %} or {# … #}; state.jinja holds
// the closing delimiter.
function jinjaToken(stream, state) {
  if (state.jinja === "#}") {
    if (stream.skipTo("#}")) {
      stream.match("#}");
      state.jinja = null;
    } else {
      stream.skipToEnd();
    }
    return "comment";
  }
  if (stream.match(/^-?[%}]\}/) || stream.match(/^-?\}\}/)) {
    state.jinja = null;
    return "meta";
  }
  if (stream.eatSpace()) return null;
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^'(?:[^'\\]|\\.)*'?/)) return "string";
  if (stream.match(/^\d+(\.\d+)?/)) return "number";
  const word = stream.match(/^[A-Za-z_][\w]*/);
  if (word) {
    if (jinjaKeywords.has(word[0])) return "keyword";
    if (stream.peek() === "(") return "variableName.function";
    return "variableName";
  }
  if (stream.match(/^[|.]/)) return "operator";
  if (stream.match(/^[-+*\/%=<>!~]+/)) return "operator";
  if (stream.match(/^[()[\],:]/)) return "punctuation";
  stream.next();
  return null;
}

// openJinja starts a Jinja2 construct at the stream position, if there is one.
function openJinja(stream, state) {
  if (stream.match(/^\{\{-?/)) {
    state.jinja = "}}";
    return "meta";
  }
  if (stream.match(/^\{%-?/)) {
    state.jinja = "%}";
    return "meta";
  }
  if (stream.match("{#")) {
    state.jinja = "#}";
    if (stream.skipTo("#}")) {
      stream.match("#}");
      state.jinja = null;
    } else {
      stream.skipToEnd();
    }
    return "comment";
  }
  return null;
}

// buildoutMode returns a stream parser for buildout profiles, with Jinja2
// constructs recognised when withJinja is set.
export function buildoutMode(withJinja) {
  return {
    name: withJinja ? "buildout-jinja2" : "buildout",
    startState: () => ({ jinja: null, inValue: false, afterKey: false }),
    copyState: (s) => ({ ...s }),
    token(stream, state) {
      if (withJinja) {
        if (state.jinja) return jinjaToken(stream, state);
        const t = openJinja(stream, state);
        if (t) return t;
      }
      if (stream.sol()) {
        state.afterKey = false;
        // A comment line: # or ; in the first column, or an indented # line.
        if (stream.match(/^[#;].*/) || stream.match(/^\s+#.*/)) return "comment";
        if (stream.match(/^\[[^\]\n]*\]/)) {
          state.inValue = false;
          return "heading";
        }
        // A macro use: "<= section".
        if (stream.match(/^<=/)) {
          state.inValue = true;
          return "operator";
        }
        if (stream.peek() !== undefined && !/\s/.test(stream.peek())) {
          // An option key, up to its operator.
          if (stream.match(/^[^=\s:{$]+?(?=\s*(?:\+=|-=|<=|=|:))/)) {
            state.afterKey = true;
            return "propertyName";
          }
          if (stream.match(/^[^=\s{]+/)) return "propertyName";
        }
      }
      if (state.afterKey) {
        if (stream.eatSpace()) return null;
        state.afterKey = false;
        if (stream.match(/^(\+=|-=|<=|=|:)/)) {
          state.inValue = true;
          return "operator";
        }
      }
      // ${section:option}, and $${section:option} which a template leaves
      // for the next level (the instance profile) to substitute.
      if (stream.match(/^\$\$\{[^}\s]*\}?/)) return "variableName.local";
      if (stream.match(/^\$\{[^}\s]*\}?/)) return "variableName.special";
      if (stream.match(/^[^${#]+/) || stream.match(/^[${#]/)) {
        // A comment after a value (" # …" at the end of a line) is not one in
        // buildout: the value runs to the end of the line.
        return state.inValue ? "string" : null;
      }
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: "#" } },
  };
}

// jinjaTextMode returns a stream parser for Jinja2 templates of any text.
function jinjaTextMode() {
  return {
    name: "jinja2",
    startState: () => ({ jinja: null }),
    copyState: (s) => ({ ...s }),
    token(stream, state) {
      if (state.jinja) return jinjaToken(stream, state);
      const t = openJinja(stream, state);
      if (t) return t;
      if (stream.match(/^[^{]+/)) return null;
      stream.next();
      return null;
    },
  };
}

const sectionRE = /^\[[^\]\n]+\]/;

// sectionFolding folds a buildout section from its header to its last
// non-blank line.
const sectionFolding = foldService.of((state, from) => {
  const line = state.doc.lineAt(from);
  if (!sectionRE.test(line.text)) return null;
  let end = line;
  for (let n = line.number + 1; n <= state.doc.lines; n++) {
    const l = state.doc.line(n);
    if (sectionRE.test(l.text)) break;
    if (l.text.trim() !== "") end = l;
  }
  return end.number === line.number ? null : { from: line.to, to: end.to };
});

const cache = new Map();

function cached(name, make) {
  if (!cache.has(name)) cache.set(name, make());
  return cache.get(name);
}

// languageFor returns the language support for a file path, or null for
// plain text.
export function languageFor(path) {
  const base = path.split("/").pop().toLowerCase();
  const stream = (name, mode, ext = []) => cached(name, () => new LanguageSupport(StreamLanguage.define(mode), ext));
  if (/\.(cfg)$/.test(base)) return stream("buildout", buildoutMode(false), sectionFolding);
  // Templates: most are buildout profiles (instance.cfg.in, *.cfg.jinja2).
  if (/\.cfg\.(in|jinja2|j2)$/.test(base) || /^instance.*\.in$/.test(base)) {
    return stream("buildout-jinja2", buildoutMode(true), sectionFolding);
  }
  if (/\.py(\.in|\.jinja2)?$/.test(base)) return cached("python", () => python());
  if (/\.(sh|bash)(\.in|\.jinja2)?$/.test(base) || base === ".bashrc") {
    return stream("shell", shell);
  }
  if (/\.json(\.in|\.jinja2)?$/.test(base)) return cached("json", () => json());
  if (/\.(in|jinja2|j2)$/.test(base)) return stream("jinja2", jinjaTextMode());
  return null;
}

// languageName returns a short display name of the language of a path.
export function languageName(path) {
  const l = languageFor(path);
  if (!l) return "Plain text";
  const n = l.language.name;
  return { "buildout": "Buildout", "buildout-jinja2": "Buildout + Jinja2", "jinja2": "Jinja2", python: "Python", shell: "Shell", json: "JSON" }[n] || n;
}
