// Bundles the IDE front end into ONE minified script (and its style sheet)
// in ../static/, which is committed and embedded in the Go binary.
import * as esbuild from "esbuild";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const out = "../static/ide.js";
await esbuild.build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outfile: out,
  legalComments: "eof",
  logLevel: "warning",
});
for (const f of [out, "../static/ide.css"]) {
  const b = readFileSync(f);
  console.log(`${f}: ${(b.length / 1024).toFixed(1)} KB raw, ${(gzipSync(b, { level: 9 }).length / 1024).toFixed(1)} KB gzip`);
}
