#!/usr/bin/env node
// Copy-paste check (CI): jscpd finds every block of 6+ repeated lines in app/ and workers/; each
// pair must be listed in .jscpd-allow.json with its reason, else this fails naming the pair.
// `node scripts/checks/duplicates.mjs` (npm run lint:dup). docs/ARCHITECTURE.md.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "facet-jscpd-"));
try {
  execFileSync(path.join(root, "node_modules/.bin/jscpd"), ["--config", ".jscpd.json", "--reporters", "json", "--output", out, "--silent", "app", "workers"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const report = JSON.parse(fs.readFileSync(path.join(out, "jscpd-report.json"), "utf8"));
  const allow = JSON.parse(fs.readFileSync(path.join(root, ".jscpd-allow.json"), "utf8")).allowed;
  const key = (a, b) => [a, b].sort().join(" ~ ");
  const allowed = new Map(allow.map((e) => [key(e.files[0], e.files[1]), e]));
  const seen = new Set();
  const unexplained = [];
  for (const d of report.duplicates) {
    const k = key(d.firstFile.name, d.secondFile.name);
    seen.add(k);
    if (!allowed.has(k)) unexplained.push(`${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} ~ ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end} (${d.lines} lines)`);
  }
  const stale = [...allowed.keys()].filter((k) => !seen.has(k));
  console.log(`duplicates: ${report.duplicates.length} blocks of 6+ lines in app/ and workers/, ${report.duplicates.length - unexplained.length} listed in .jscpd-allow.json`);
  if (stale.length) console.log(`no longer repeated (remove from .jscpd-allow.json): ${stale.join("; ")}`);
  if (unexplained.length) {
    console.error(`repeated blocks not listed in .jscpd-allow.json: replace them with a shared function, or list the pair with its reason:\n  ${unexplained.join("\n  ")}`);
    process.exit(1);
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
