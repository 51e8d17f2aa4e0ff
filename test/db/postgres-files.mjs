#!/usr/bin/env node
/**
 * Which test files .ci/run runs a second time on PostgreSQL (FACET_TEST_DB=postgres, docs/decisions/0160):
 * every test file that touches a database, found by a rule rather than a hand-kept list, so that a
 * new one cannot be forgotten. A file touches a database when it, or a test helper it imports
 * (relative imports under test/, followed transitively), opens one: useTempDatabase(), the raw
 * handle or the Prisma client, a DATABASE_URL, better-sqlite3, or the built server (test/prod/server.ts).
 * EXCLUDED names the few that do not run there, each with the reason; test/db/postgres.test.ts
 * checks that every excluded file exists and still touches a database.
 *
 * `node test/db/postgres-files.mjs` prints the files, one a line (paths relative to the repository root).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const OPENS_A_DATABASE = /\buseTempDatabase\(|\brawDb\(|\bprisma\(|\bDATABASE_URL\b|["']better-sqlite3["']|\bcreatePgDatabase\(/;

/** Test files that touch a database but do not run in the PostgreSQL step, and why. */
export const EXCLUDED = {
  "test/fleet/fleet.test.ts": "runs on PostgreSQL in every run already (the fleet's one shared database; it creates its own)",
  "test/browser/experiments.test.ts": "browser tests: the demo shop is seeded by `facet demo` into a SQLite file the harness reads with better-sqlite3; not ported to PostgreSQL yet (open work, docs/decisions/0160)",
  "test/browser/trust.test.ts": "browser tests: as test/browser/experiments.test.ts",
  "test/browser/facet.test.ts": "browser tests: as test/browser/experiments.test.ts",
  "test/browser/merchant.test.ts": "browser tests: as test/browser/experiments.test.ts",
  "test/browser/ux.test.ts": "browser tests: as test/browser/experiments.test.ts",
};

function listTests(dir = "test", out = []) {
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) listTests(rel, out);
    else if (/\.test\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out.sort();
}

/** The file's source and the sources of the test helpers it imports (relative imports inside test/). */
function sources(rel, seen = new Set()) {
  if (seen.has(rel)) return [];
  seen.add(rel);
  const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
  const found = [text];
  for (const m of text.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1]));
    if (!base.startsWith("test/")) continue;
    const file = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((f) => fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile());
    if (file) found.push(...sources(file, seen));
  }
  return found;
}

/** Every test file that touches a database (excluded ones included). */
export function databaseTestFiles() {
  return listTests().filter((f) => sources(f).some((s) => OPENS_A_DATABASE.test(s)));
}

/** The files the PostgreSQL step runs. */
export function postgresTestFiles() {
  return databaseTestFiles().filter((f) => !(f in EXCLUDED));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(postgresTestFiles().join("\n") + "\n");
}
