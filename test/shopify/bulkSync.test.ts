/**
 * The first sync against a Shopify played by an injected fetch: start, poll, download, stream,
 * map, write; resumable after a crash while polling and while writing; progress reported.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { prisma } from "../../app/db.server";
import { runBulkSync, stateKey } from "../../app/jobs/bulkSync.server";
import { setShopifyFetch, type FetchLike } from "../../app/shopify/bulk";
import { readSetting } from "../../app/models/setting.server";
import { ageGroupOf } from "../../app/shopify/mapping";
import type { JobContext } from "../../app/queues/jobs";
import { fixture } from "./helpers";

useTempDatabase();
const SHOP = "facet-bulk.myshopify.com";
const TOKEN = "shpat_test_token";
/** The sync computes ages for this day: the day before Anna's 36th birthday. */
const NOW = "2026-04-01T12:00:00.000Z";

/** Shopify's Admin API and its download host, as far as the bulk sync uses them. */
function fakeShopify(files: Record<string, string>, opts: { failPolls?: number } = {}) {
  const calls = { start: 0, poll: 0, download: 0, tokens: new Set<string>(), endpoints: new Set<string>() };
  const ops = new Map<string, { resource: string; polls: number }>();
  let failPolls = opts.failPolls ?? 0;
  const json = (data: unknown) => new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/json" } });
  const fetch: FetchLike = async (url, init) => {
    if (url.startsWith("https://storage.example.com/")) {
      calls.download++;
      return new Response(files[url.split("/").pop()!.replace(".jsonl", "")]);
    }
    calls.endpoints.add(url);
    calls.tokens.add(init?.headers?.["X-Shopify-Access-Token"] ?? "");
    const { query, variables } = JSON.parse(init!.body!) as { query: string; variables: Record<string, string> };
    if (query.includes("bulkOperationRunQuery")) {
      calls.start++;
      const resource = /^\{\s*(\w+)/.exec(variables.query)![1];
      const id = `gid://shopify/BulkOperation/${100 + calls.start}`;
      ops.set(id, { resource, polls: 0 });
      return json({ bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED", errorCode: null, objectCount: "0", url: null, partialDataUrl: null }, userErrors: [] } });
    }
    if (query.includes("node(id:")) {
      calls.poll++;
      if (failPolls > 0) {
        failPolls--;
        throw new TypeError("fetch failed (network down)");
      }
      const op = ops.get(variables.id)!;
      op.polls++;
      const done = op.polls >= 2;
      return json({
        node: { id: variables.id, status: done ? "COMPLETED" : "RUNNING", errorCode: null, objectCount: String(done ? 42 : 7), url: done ? `https://storage.example.com/${op.resource}.jsonl` : null, partialDataUrl: null },
      });
    }
    return new Response("unexpected", { status: 400 });
  };
  return { fetch, calls };
}

function ctx(messages: string[] = []): JobContext & { fractions: number[] } {
  const fractions: number[] = [];
  return { jobId: "test", attempt: 1, fractions, progress: (f, m) => void (fractions.push(f), m && messages.push(m)), log: () => undefined };
}

const noWait = { pollIntervalMs: 0, sleep: async () => undefined };

beforeAll(async () => {
  await prisma().session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "x", isOnline: false, accessToken: TOKEN } });
});

describe("bulk sync", () => {
  it("syncs products, customers and orders with the offline token", async () => {
    const shopify = fakeShopify({ products: fixture("bulk-products.jsonl"), customers: fixture("bulk-customers.jsonl"), orders: fixture("bulk-orders.jsonl") });
    setShopifyFetch(shopify.fetch);
    try {
      const messages: string[] = [];
      const c = ctx(messages);
      const products = await runBulkSync({ shop: SHOP, resource: "products" }, c, noWait);
      expect(products).toMatchObject({ stage: "done", applied: 3, total: 3, objectCount: 42 });
      expect(c.fractions.at(-1)).toBe(1);
      expect(messages.some((m) => /Shopify is exporting \(running, 7 objects\)/.test(m))).toBe(true);
      await runBulkSync({ shop: SHOP, resource: "customers", now: NOW }, ctx(), noWait);
      await runBulkSync({ shop: SHOP, resource: "orders" }, ctx(), noWait);
      expect([...shopify.calls.tokens]).toEqual([TOKEN]);
      expect([...shopify.calls.endpoints]).toEqual([`https://${SHOP}/admin/api/2026-10/graphql.json`]);

      const rows = await prisma().product.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
      expect(rows.map((r) => [r.id, r.material, r.deletedAt === null])).toEqual([
        ["8000000000001", "Gold", true],
        ["8000000000002", "Silber", true],
        ["8000000000003", "unknown", false],
      ]);
      const anna = await prisma().customer.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "7000000000001" } } });
      expect(anna).toMatchObject({ gender: "female", country: "DE", segment: "vip", marketingConsent: true });
      // Born 1990-04-02 (a metafield): on the job's day, 2026-04-01, she is still 35.
      expect(anna.age).toBe(35);
      expect(anna.ageGroup).toBe(ageGroupOf(35));
      const orders = await prisma().order.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
      expect(orders.map((o) => [o.id, o.status, o.customerId, o.isGift, o.occasion])).toEqual([
        ["6000000000001", "completed", "7000000000001", true, "birthday"],
        ["6000000000002", "cancelled", null, null, null],
      ]);
      const items = await prisma().orderItem.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" } });
      expect(items.map((i) => [i.orderId, i.productId, i.finalPrice])).toEqual([
        ["6000000000001", "8000000000001", 89],
        ["6000000000001", "8000000000002", 44.1],
      ]);
      expect(await prisma().inventoryItem.count({ where: { shop: SHOP } })).toBe(3);
    } finally {
      setShopifyFetch(undefined);
    }
  });

  it("resumes after a crash while polling (same operation) and while writing (no re-download)", async () => {
    const big: string[] = [];
    for (let p = 1; p <= 1200; p++) {
      big.push(JSON.stringify({ id: `gid://shopify/Product/${500000 + p}`, title: `Ring ${p}`, productType: "Rings", vendor: "V", tags: [], status: "ACTIVE", updatedAt: "2024-06-01T00:00:00Z" }));
      big.push(JSON.stringify({ id: `gid://shopify/ProductVariant/${700000 + p}`, price: "10.00", inventoryQuantity: 1, inventoryPolicy: "DENY", selectedOptions: [], inventoryItem: { id: `gid://shopify/InventoryItem/${900000 + p}`, tracked: true }, __parentId: `gid://shopify/Product/${500000 + p}` }));
    }
    const shop = "facet-resume.myshopify.com";
    await prisma().session.create({ data: { id: `offline_${shop}`, shop, state: "x", isOnline: false, accessToken: TOKEN } });
    const shopify = fakeShopify({ products: big.reverse().join("\n") }, { failPolls: 1 });
    setShopifyFetch(shopify.fetch);
    try {
      await expect(runBulkSync({ shop, resource: "products" }, ctx(), noWait)).rejects.toThrow(/network down/);
      expect(readSetting(shop, stateKey("products"))).toMatchObject({ stage: "started", operationId: "gid://shopify/BulkOperation/101" });

      const crash = (applied: number) => {
        if (applied === 500) throw new Error("worker killed");
      };
      await expect(runBulkSync({ shop, resource: "products" }, ctx(), { ...noWait, afterBatch: crash })).rejects.toThrow(/worker killed/);
      expect(readSetting(shop, stateKey("products"))).toMatchObject({ stage: "downloaded", applied: 500, total: 1200 });
      expect(await prisma().product.count({ where: { shop } })).toBe(500);

      const done = await runBulkSync({ shop, resource: "products" }, ctx(), noWait);
      expect(done).toMatchObject({ stage: "done", applied: 1200 });
      expect(await prisma().product.count({ where: { shop, deletedAt: null } })).toBe(1200);
      expect(shopify.calls.start).toBe(1);
      expect(shopify.calls.download).toBe(1);

      // A later run is a fresh sync (a new operation), not a resume.
      await runBulkSync({ shop, resource: "products" }, ctx(), noWait);
      expect(shopify.calls.start).toBe(2);
    } finally {
      setShopifyFetch(undefined);
    }
  });

  it("fails clearly without an offline session", async () => {
    await expect(runBulkSync({ shop: "nobody.myshopify.com", resource: "products" }, ctx(), noWait)).rejects.toThrow(/no offline session for nobody.myshopify.com: install the app/);
  });
});
