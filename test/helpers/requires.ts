/**
 * Optional test dependencies (Redis, Chromium, ../shared). On a newcomer's machine a missing one
 * skips its tests with a visible reason; in CI (CI=true) a missing one fails the run.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, it } from "vitest";

/** ../shared next to the checkout; FACET_SHARED_DIR points elsewhere (a worktree one level deeper). */
export const SHARED_DIR = process.env.FACET_SHARED_DIR ? path.resolve(process.env.FACET_SHARED_DIR) : path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../shared");
export const inCI = process.env.CI === "true" || process.env.CI === "1";

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return fs.existsSync(sharedPath(...parts));
}

export async function redisReachable(url = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379"): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    s.setTimeout(1000);
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
    s.once("timeout", () => { s.destroy(); resolve(false); });
  });
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export function hasChromium(): boolean {
  return fs.existsSync(chromiumPath);
}

/**
 * describe() when `available`, else a visible skip (or, in CI, a failing test naming what is missing).
 */
export function describeIf(available: boolean, what: string, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (inCI) {
    describe(name, () => it(`needs ${what}, which CI must provide`, () => { throw new Error(`${what} is missing in CI`); }));
    return;
  }
  console.warn(`SKIPPED "${name}": ${what} is not available on this machine`);
  describe.skip(`${name} (skipped: ${what} missing)`, fn);
}
