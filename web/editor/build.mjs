// Bundles the IDE front end into ONE minified script (and its style sheet)
// in ../static/, which is committed and embedded in the Go binary. It also
// records in inputs.sha256 the hash of what the bundle was built from, so
// that a Go test notices sources changed without `make web`.
import * as esbuild from "esbuild";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";

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

// The inputs: every file under src/, the package manifests and this script,
// hashed as "path NUL content NUL" in path order (web.TestBundleUpToDate
// computes the same).
const inputs = ["build.mjs", "package.json", "package-lock.json",
  ...readdirSync("src", { recursive: true }).map((f) => "src/" + f.split("\\").join("/")).filter((f) => statSync(f).isFile())].sort();
const h = createHash("sha256");
for (const f of inputs) {
  h.update(f + "\0");
  h.update(readFileSync(f));
  h.update("\0");
}
writeFileSync("inputs.sha256", h.digest("hex") + "\n");
