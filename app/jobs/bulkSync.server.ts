/**
 * The `bulkSync` job: the first sync of one resource (products, customers, orders) through an
 * Admin GraphQL bulk operation: start, poll, download, stream the JSONL, map, write.
 *
 * Resumable after a crash: the stage is kept in the shop's Setting "shopify.sync.<resource>"
 * ({stage, operationId, file, applied, total}). A restarted job polls the operation it started
 * instead of starting another, reuses a finished download, and skips the records already written
 * (writes are order-safe upserts, so the batch being written when it crashed is simply written
 * again). With `chain`, products -> customers -> orders run in turn (Shopify allows one bulk query
 * per shop at a time), then the embed and train jobs.
 */
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "../env.server";
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";
import { queue } from "../queues/index.server";
import * as sync from "../models/sync.server";
import { AdminClient, BULK_QUERIES, ShopifyApiError, shopifyFetch, type BulkResource } from "../shopify/bulk";
import { reconstructFile, type BulkNode } from "../shopify/jsonl";
import { customerFromBulk, customerRow, orderFromBulk, orderRows, productFromBulk, productRow } from "../shopify/mapping";
import { systemClock } from "../clock";
import { SHOPIFY_API_VERSION } from "../shopify/apiVersion";
import { deleteSetting, readSetting, writeSetting, type SettingKey } from "../models/setting.server";

/** The Admin API version the app is configured with (app/shopify/apiVersion.ts). */
export const ADMIN_API_VERSION = SHOPIFY_API_VERSION;
const BATCH = 500;
const NEXT: Record<BulkResource, BulkResource | null> = { products: "customers", customers: "orders", orders: null };

export interface BulkSyncState {
  stage: "started" | "downloaded" | "done";
  operationId: string | null;
  file: string | null;
  applied: number;
  total: number | null;
  objectCount: number;
  startedAt: string;
  finishedAt?: string;
  outcomes?: Record<string, number>;
}

export const stateKey = (resource: BulkResource): SettingKey => `shopify.sync.${resource}`;

export interface BulkSyncDeps {
  client?: AdminClient;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Tests: called after each written batch (a crash can be simulated by throwing). */
  afterBatch?: (applied: number) => void;
}

function clientFor(shop: string): AdminClient {
  const accessToken = sync.offlineAccessToken(shop);
  if (!accessToken) throw new BadJobInput(`bulkSync: no offline session for ${shop}: install the app (OAuth) first`);
  return new AdminClient({ shop, accessToken, apiVersion: ADMIN_API_VERSION, fetch: shopifyFetch() });
}

function writeBatch(shop: string, resource: BulkResource, nodes: BulkNode[], now: Date, outcomes: Record<string, number>): void {
  const mapping = sync.loadMapping(shop);
  sync.inTransaction(() => {
    for (const node of nodes) {
      let outcome: string;
      if (resource === "products") {
        const { product, items } = productRow(productFromBulk(node), mapping);
        outcome = sync.upsertProduct(shop, product, items, mapping);
      } else if (resource === "customers") {
        outcome = sync.upsertCustomer(shop, customerRow(customerFromBulk(node), mapping, now));
      } else {
        const { order, items } = orderRows(orderFromBulk(node));
        outcome = sync.upsertOrder(shop, order, items);
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
  });
}

export async function runBulkSync(payload: JobPayloads["bulkSync"], ctx: JobContext, deps: BulkSyncDeps = {}): Promise<BulkSyncState> {
  const { shop, resource } = payload;
  if (!shop || !(resource in BULK_QUERIES)) throw new BadJobInput(`bulkSync: shop and resource (products | customers | orders) are required, got ${JSON.stringify(payload)}`);
  const key = stateKey(resource);
  const client = deps.client ?? clientFor(shop);
  let state = readSetting(shop, key) as BulkSyncState | undefined;
  const save = () => writeSetting(shop, key, state);

  if (payload.restart || !state || state.stage === "done") {
    const op = await client.startBulk(BULK_QUERIES[resource]);
    state = { stage: "started", operationId: op.id, file: null, applied: 0, total: null, objectCount: 0, startedAt: systemClock.now().toISOString() };
    save();
    await ctx.progress(0.02, `${resource}: bulk operation started`);
  }

  if (state.stage === "started") {
    let op;
    try {
      op = await client.waitForBulk(state.operationId!, {
        intervalMs: deps.pollIntervalMs,
        sleep: deps.sleep,
        onStatus: (o) => ctx.progress(0.05, `${resource}: Shopify is exporting (${o.status.toLowerCase()}, ${o.objectCount} objects)`),
      });
    } catch (e) {
      // An operation that failed or expired cannot be resumed: the next attempt starts afresh.
      if (e instanceof ShopifyApiError) deleteSetting(shop, key);
      throw e;
    }
    state.objectCount = op.objectCount;
    if (op.url) {
      const file = path.join(dataDir(), "sync", shop, `${resource}-${op.id.split("/").pop()}.jsonl`);
      await ctx.progress(0.3, `${resource}: downloading ${op.objectCount} objects`);
      await client.download(op.url, file);
      state.file = file;
    }
    state.stage = "downloaded";
    save();
  }

  const outcomes: Record<string, number> = { ...(state.outcomes ?? {}) };
  if (state.file) {
    if (!fs.existsSync(state.file)) {
      deleteSetting(shop, key);
      throw new Error(`bulkSync: the downloaded file ${state.file} is gone; the next attempt starts a new export`);
    }
    const { roots, lines } = await reconstructFile(state.file, {
      onLines: (n) => void ctx.progress(0.4, `${resource}: read ${n} of ${state!.objectCount} lines`),
    });
    state.total = roots.length;
    const now = jobNow(payload);
    for (let i = state.applied; i < roots.length; i += BATCH) {
      writeBatch(shop, resource, roots.slice(i, i + BATCH), now, outcomes);
      state.applied = Math.min(roots.length, i + BATCH);
      state.outcomes = outcomes;
      save();
      deps.afterBatch?.(state.applied);
      await ctx.progress(0.5 + (0.5 * state.applied) / Math.max(1, roots.length), `${resource}: ${state.applied}/${roots.length} written (${lines} lines)`);
    }
    // The download holds personal data: it goes as soon as it is written into the database.
    fs.rmSync(state.file, { force: true });
  }
  state = { ...state, stage: "done", finishedAt: systemClock.now().toISOString(), outcomes, file: null };
  save();
  await ctx.progress(1, `${resource}: ${state.applied} records`);
  return state;
}

/**
 * Enqueues the first sync (after OAuth): products, then customers, orders, embed and train.
 * Job id per installation and day: re-auths of one installation on one day sync once, and a
 * reinstall (a new `installedAt`) syncs again even on the day of the first install (BullMQ keeps a
 * finished job's id for 24 hours, so a per-day id alone would swallow it; the shop missed every
 * webhook while uninstalled).
 */
export async function startFirstSync(shop: string, installedAt?: Date, now: Date = systemClock.now()): Promise<string> {
  const day = now.toISOString().slice(0, 10);
  const install = installedAt ? `-i${installedAt.getTime().toString(36)}` : "";
  const h = await (await queue()).enqueue("bulkSync", { shop, resource: "products", chain: true }, { jobId: `bulkSync-${shop.replace(/[^\w.-]/g, "_")}-products-${day}${install}`, attempts: 5 });
  return h.id;
}

export default async function bulkSync(payload: JobPayloads["bulkSync"], ctx: JobContext) {
  const state = await runBulkSync(payload, ctx);
  const followUps: string[] = [];
  if (payload.chain) {
    const q = await queue();
    const next = NEXT[payload.resource];
    const tag = `${payload.shop.replace(/[^\w.-]/g, "_")}-${state.startedAt.replace(/[^\d]/g, "")}`;
    if (next) followUps.push((await q.enqueue("bulkSync", { shop: payload.shop, resource: next, chain: true, now: payload.now }, { jobId: `bulkSync-${next}-${tag}`, attempts: 5 })).id);
    else {
      followUps.push((await q.enqueue("embed", { shop: payload.shop, now: payload.now }, { jobId: `embed-first-${tag}` })).id);
      followUps.push((await q.enqueue("train", { shop: payload.shop, reason: "first sync", now: payload.now }, { jobId: `train-first-${tag}`, attempts: 2 })).id);
    }
  }
  return { resource: payload.resource, applied: state.applied, objectCount: state.objectCount, outcomes: state.outcomes ?? {}, followUps };
}
