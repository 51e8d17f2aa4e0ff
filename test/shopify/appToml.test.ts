/**
 * shopify.app.toml and the webhook route agree: every topic the issue requires is subscribed, every
 * subscribed topic has a handler in WEBHOOK_TOPICS (and the sync/redact jobs), and nothing is handled
 * that is never subscribed. Parsed with a line reader (the TOML keys used here are one-line arrays).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEBHOOK_TOPICS, topicKey } from "../../app/shopify/webhooks.server";

const REDACT_JOB = ["CUSTOMERS_REDACT", "SHOP_REDACT"]; // enqueued as "redact" jobs (webhooks.server.ts)

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const toml = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");

function arrays(key: string): string[] {
  const out: string[] = [];
  for (const m of toml.matchAll(new RegExp(`^\\s*${key}\\s*=\\s*\\[([^\\]]*)\\]`, "gm"))) {
    for (const t of m[1].matchAll(/"([^"]+)"/g)) out.push(t[1]);
  }
  return out;
}

const REQUIRED = [
  "products/create", "products/update", "products/delete", "inventory_levels/update",
  "orders/create", "orders/updated", "orders/cancelled", "refunds/create",
  "customers/create", "customers/update", "customers/delete", "app/uninstalled",
];
const COMPLIANCE = ["customers/data_request", "customers/redact", "shop/redact"];

describe("shopify.app.toml webhooks", () => {
  const topics = arrays("topics");
  const compliance = arrays("compliance_topics");

  it("subscribes every topic of the issue, and the three compliance topics as compliance_topics", () => {
    for (const t of REQUIRED) expect(topics, t).toContain(t);
    expect(compliance.sort()).toEqual([...COMPLIANCE].sort());
  });

  it("has a handler for each subscribed topic, and handles nothing it never subscribes to", () => {
    const subscribed = [...topics, ...compliance].map(topicKey).sort();
    expect(new Set(subscribed).size).toBe(subscribed.length); // no topic twice
    expect(subscribed).toEqual(Object.keys(WEBHOOK_TOPICS).sort());
  });

  it("sends every subscription to the route that verifies and enqueues (/webhooks)", () => {
    const uris = [...toml.matchAll(/^\s*uri\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(["/webhooks"]));
    expect(fs.existsSync(path.join(ROOT, "app/routes/webhooks.tsx"))).toBe(true);
  });

  it("the sync job has a case for every non-redact topic (its default answers 'stale' and writes nothing)", () => {
    const sync = fs.readFileSync(path.join(ROOT, "app/jobs/sync.server.ts"), "utf8");
    const cases = new Set([...sync.matchAll(/case "([A-Z_]+)":/g)].map((m) => m[1]));
    const missing = Object.keys(WEBHOOK_TOPICS).filter((t) => !REDACT_JOB.includes(t) && !cases.has(t));
    expect(missing).toEqual([]);
  });
});
