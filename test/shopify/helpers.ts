/** Shared helpers of the Shopify tests: fixtures, waiting, Redis key cleanup. */
import fs from "node:fs";
import path from "node:path";
import type IORedis from "ioredis";

export const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../fixtures/shopify");
export const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
export const fixturePath = (name: string) => path.join(FIXTURES, name);

/** Polls until `cond` is true (or throws with `what` after `ms`). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deletes every Redis key under a test's BullMQ prefix. */
export async function deletePrefix(redis: IORedis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

export const uniquePrefix = (what: string) => `facet-test-${what}-${process.pid}-${Date.now().toString(36)}`;
