/**
 * One production build for the tests that run it (test/prod, test/browser): `remix vite:build` when
 * build/ is missing or older than app/, extensions/ or vite.config.ts, else the existing build is
 * reused. Test files run in parallel processes, so a lock folder serialises the check and the build.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const OUT = path.join(ROOT, "build/server/index.js");

function newestMtime(p: string): number {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

const fresh = () =>
  fs.existsSync(OUT) && fs.statSync(OUT).mtimeMs > Math.max(...["app", "extensions", "vite.config.ts"].map((p) => newestMtime(path.join(ROOT, p))));

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

export function ensureFreshBuild(): void {
  const lock = path.join(os.tmpdir(), `facet-build-${crypto.createHash("sha1").update(ROOT).digest("hex").slice(0, 10)}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const st = fs.statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 300_000) fs.rmSync(lock, { recursive: true, force: true }); // a crashed holder
      sleep(250);
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], { cwd: ROOT, encoding: "utf8", timeout: 300_000, env: { ...process.env, NODE_ENV: "production" } });
    if (r.status !== 0) throw new Error(`remix vite:build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
