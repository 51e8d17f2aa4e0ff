/**
 * Per-shop serving snapshots: everything a request needs (the World: catalogue, models, indexes,
 * settings, precomputed segment lists) held in memory, so that the request path touches no database.
 *
 * - Loaded lazily on a shop's first request (concurrent first requests share one build).
 * - Without the change watch (CLI, tests, the demo), at most every CHECK_INTERVAL_MS a request
 *   triggers a cheap freshness check (servingStamp: one primary-key read); with it (the web server)
 *   its timer does that read for every served shop and requests read nothing. A change of model
 *   version, settings, catalogue, vectors or customers starts a rebuild at once; new orders at most
 *   every BEHAVIOUR_REBUILD_MS; new interactions never (the live tail carries them), so a busy
 *   storefront does not rebuild continuously.
 * - Running experiments are held in the snapshot too; the shop's experiments' stamp (count, latest
 *   change) is compared at every freshness check and the list reloaded when it moved, without a
 *   rebuild, so starting, pausing and stopping an experiment take effect within CHECK_INTERVAL_MS.
 * - Across machines (issue 16 point 4, startChangeWatch, started by the web server): a change
 *   announced on Redis (app/queues/broadcast.server.ts: a worker published a model version or a
 *   bundle, an admin on another machine saved settings or an experiment) rebuilds the shop at once;
 *   a timer reads the change counters of every shop this process serves in one query every
 *   FACET_CHANGE_POLL_MS (1 s without Redis, 3 s with it as the safety net), so every web machine
 *   serves the new state within seconds with no database round trip on the request path.
 * - Bounded (issue 16 point 5): snapshots are held least recently used first out once their
 *   estimated size (estimateBytes) passes FACET_SERVING_CACHE_MB; an evicted shop is loaded again on
 *   its next request.
 * - Rebuilds run in the background while requests keep using the old snapshot; the new one replaces
 *   it with a single assignment (atomic for every request that starts afterwards; requests in flight
 *   finish on the one they hold). A failed rebuild keeps the old snapshot and is retried at the next
 *   check.
 */
import { loadCatalog } from "../models/catalog.server";
import { loadCustomerProfiles } from "../models/customerProfile.server";
import { loadEventTable } from "../models/events.server";
import { impressionCounts, interactionsSince, latestInteractionTime, servingStamp, shopCurrency } from "../models/servingStamp.server";
import { parseStoredTime } from "../models/events.server";
import type { Event, InteractionType } from "../recommend/types";
import { INTERACTION_TYPES } from "../recommend/types";
import { loadSettingsOverride, loadShopSettings } from "../models/settings.server";
import { experimentsStamp, runningExperimentRows, type ExperimentRow } from "../models/experiment.server";
import { loadVisualSearch } from "../embedding/search.server";
import { loadVisualBundle } from "./bundle.server";
import { buildWorld } from "../recommend/buildWorld";
import { type World } from "../recommend/world";
import { alignToCatalog, loadPublishedModel } from "../artifacts/modelVersion.server";
import { blendGuardsOf, tunedSettings } from "../recommend/hybrid/tuneBlend";
import type { PlacementGuard } from "../recommend/blendGuard";
import type { ShopSettings } from "../recommend/settings";
import type { Placement } from "../recommend/types";
import { systemClock } from "../clock";
import { env } from "../env.server";
import { servingStamps } from "../models/servingStamp.server";
import { experimentsStamps } from "../models/experiment.server";
import { announceServingChange, subscribeServingChanges, type ServingChangeKind } from "../queues/broadcast.server";
import { dropLocalCopies } from "../artifacts/store.server";
import { invalidateShop } from "./answerCache.server";

export const CHECK_INTERVAL_MS = 5_000;
export const BEHAVIOUR_REBUILD_MS = 60_000;
/** Impressions of this many days count for exploration's "rarely shown". */
export const IMPRESSION_DAYS = 30;

export interface Snapshot {
  shop: string;
  world: World;
  /** The published model version the snapshot serves, null before the first training. */
  modelVersion: string | null;
  currency: string;
  /** servingStamp at load time. */
  stamp: string;
  builtAt: number;
  /** Milliseconds the load and build took: loading (database, model files, index) and buildWorld. */
  loadMs: number;
  buildMs: number;
  /**
   * The live tail: customers' interactions newer than the snapshot, per customer, oldest first.
   * Refreshed at the freshness checks between rebuilds, replaced by one assignment (never mutated).
   */
  live: Map<string, Event[]>;
  /** Time (ISO, as stored) of the newest interaction already in the world or the live tail. */
  liveSince: string | null;
  /**
   * Experiments with status running (start and end are checked per request), and the stamp they
   * were loaded at. Replaced by one assignment when the stamp moves (never mutated).
   */
  experiments: { stamp: string; running: ExperimentRow[] };
  /** Estimated bytes the snapshot holds (estimateBytes), what the LRU bound counts. */
  bytes: number;
  /** Which signals exist (no model yet: demographic, popularity and visual only). */
  signals: { visual: boolean; collaborative: boolean; boughtTogether: boolean; events: number; customers: number; products: number };
}

/** The placements whose weights the merchant saved (the settings page; Apply of "Recommended by your data"). */
function ownWeights(shop: string): Set<Placement> {
  const own = loadSettingsOverride(shop)?.placements ?? {};
  return new Set((Object.keys(own) as Placement[]).filter((p) => own[p]?.weights !== undefined));
}

/**
 * What is served: the model version's tuned weights and guards (parameters.blend) for the placements
 * whose weights the merchant left alone; the merchant's own saved weights, unguarded, for the rest
 * (the admin offers the tuned ones as "Recommended by your data" to apply).
 */
export function servedSettings(settings: ShopSettings, own: ReadonlySet<Placement>, params: unknown): { settings: ShopSettings; guards: Partial<Record<Placement, PlacementGuard>> | null } {
  if (params === null) return { settings, guards: null };
  const tuned = tunedSettings(settings, params);
  const guards = blendGuardsOf(params);
  const placements = { ...tuned.placements };
  for (const p of own) {
    placements[p] = settings.placements[p];
    delete guards[p];
  }
  return { settings: { ...tuned, placements }, guards };
}

/** Loads everything from the database and disk and builds the world. */
export async function buildSnapshot(shop: string, now = systemClock.nowMs()): Promise<Snapshot> {
  const t0 = performance.now();
  const stamp = servingStamp(shop);
  const experiments = loadExperiments(shop);
  const liveSince = latestInteractionTime(shop);
  const catalog = loadCatalog(shop);
  const settings = loadShopSettings(shop);
  const customers = loadCustomerProfiles(shop);
  const events = loadEventTable(shop, catalog);
  const loaded = await loadPublishedModel(shop);
  const model = loaded ? alignToCatalog(loaded, catalog) : null;
  // The serving bundle of the shop's current vectors (precomputed neighbour lists and compact
  // vectors, read off the event loop); without one (no embed/train run since the vectors changed)
  // the index answers, searching per product on the request path, and the log says how to fix it.
  const visual = (await loadVisualBundle(shop, catalog)) ?? (await visualWithoutBundle(shop, catalog));
  const shown = impressionCounts(shop, new Date(now - IMPRESSION_DAYS * 86_400_000).toISOString());
  // No impressions at all (no storefront reporting yet): unknown, not "never shown".
  const impressions = shown.size ? Uint32Array.from(catalog.ids, (id) => shown.get(id) ?? 0) : null;
  const t1 = performance.now();
  const world = buildWorld({
    catalog,
    events,
    customers,
    cf: model?.cf ?? null,
    boughtTogether: model?.boughtTogether ?? null,
    viewedTogether: model?.viewedTogether ?? null,
    itemGram: model?.itemGram ?? null,
    impressions,
    visual,
    now,
    // The blend weights and guards the train job chose on validation (issue 14), over the shop's
    // settings, except where the merchant saved weights of their own (servedSettings).
    ...servedSettings(settings, ownWeights(shop), model?.params ?? null),
    // Requests never read the raw events; the world keeps what it derived from them.
    keepEvents: false,
  });
  const t2 = performance.now();
  return {
    bytes: estimateBytes(world),
    shop,
    world,
    modelVersion: model?.version ?? null,
    currency: shopCurrency(shop),
    stamp,
    builtAt: now,
    loadMs: t1 - t0,
    buildMs: t2 - t1,
    live: new Map(),
    liveSince,
    experiments,
    signals: {
      visual: visual !== null,
      collaborative: model?.cf != null,
      boughtTogether: model?.boughtTogether != null,
      events: events.length,
      customers: customers.length,
      products: catalog.ids.length,
    },
  };
}

const warnedNoBundle = new Set<string>();

async function visualWithoutBundle(shop: string, catalog: Parameters<typeof loadVisualSearch>[1]) {
  const visual = await loadVisualSearch(shop, catalog);
  if (visual && !warnedNoBundle.has(shop)) {
    warnedNoBundle.add(shop);
    console.error(`[serving] ${shop}: no serving bundle for the current product vectors: visual neighbours are searched on the request path until \`facet bundle --shop ${shop}\` (or the embed/train job) writes it`);
  }
  return visual;
}

function loadExperiments(shop: string): Snapshot["experiments"] {
  return { stamp: experimentsStamp(shop), running: runningExperimentRows(shop) };
}

/** Reloads the running experiments when the shop's experiments changed (one indexed aggregate otherwise). */
export function refreshExperiments(s: Snapshot): void {
  const stamp = experimentsStamp(s.shop);
  if (stamp !== s.experiments.stamp) s.experiments = { stamp, running: runningExperimentRows(s.shop) };
}

interface Entry {
  current: Snapshot | null;
  first: Promise<Snapshot> | null;
  rebuilding: Promise<void> | null;
  checkedAt: number;
  /** When the running experiments were last compared (also while a rebuild is in flight). */
  experimentsCheckedAt?: number;
  /** A change arrived while a rebuild was in flight (it may have read the older state): rebuild once more after it. */
  again?: boolean;
}

/** In least recently used order: the first entry is the next to evict. */
const entries = new Map<string, Entry>();
let evictions = 0;

/** The shop's snapshot: built on first use, checked for freshness at most every CHECK_INTERVAL_MS. */
export async function getSnapshot(shop: string, now = systemClock.nowMs()): Promise<Snapshot> {
  let entry = entries.get(shop);
  if (!entry) entry = { current: null, first: null, rebuilding: null, checkedAt: now };
  entries.delete(shop); // most recently used last
  entries.set(shop, entry);
  if (!entry.current) {
    const e = entry;
    e.first ??= buildSnapshot(shop, now).then(
      (s) => {
        e.current = s;
        e.first = null;
        e.checkedAt = now;
        enforceBound(shop);
        return s;
      },
      (err) => {
        e.first = null;
        throw err;
      },
    );
    return e.first;
  }
  // With the change watch running (the web server), the counters are read by its timer, never on the request path.
  if (watch) return entry.current;
  if (now - (entry.experimentsCheckedAt ?? entry.checkedAt) >= CHECK_INTERVAL_MS) {
    entry.experimentsCheckedAt = now;
    refreshExperiments(entry.current);
  }
  if (now - entry.checkedAt >= CHECK_INTERVAL_MS && !entry.rebuilding) {
    entry.checkedAt = now;
    const stamp = servingStamp(shop);
    if (needsRebuild(entry.current, stamp, now)) startRebuild(shop, entry, now);
    else if (stamp !== entry.current.stamp) refreshLive(entry.current);
  }
  return entry.current;
}

/** The shop's snapshot as held now, without a freshness check or a load (what this process serves; null when not loaded). */
export function servedSnapshot(shop: string): Snapshot | null {
  return entries.get(shop)?.current ?? null;
}

/** The bound in bytes (FACET_SERVING_CACHE_MB). */
export function servingBoundBytes(): number {
  return env().FACET_SERVING_CACHE_MB * 1024 * 1024;
}

/**
 * Evicts least recently used snapshots until the held ones fit the bound. Never the shop being
 * answered (`keep`), nor one whose build is in flight; their cached answers go with them.
 */
function enforceBound(keep: string): void {
  const limit = servingBoundBytes();
  let total = 0;
  for (const e of entries.values()) total += e.current?.bytes ?? 0;
  for (const [shop, e] of entries) {
    if (total <= limit) break;
    if (shop === keep || !e.current || e.first || e.rebuilding) continue;
    entries.delete(shop);
    invalidateShop(shop);
    total -= e.current.bytes;
    evictions++;
  }
}

/** What this process holds: shops, estimated bytes, the bound and evictions so far (the bench, tests, /readyz). */
export function servingMemory(): { shops: string[]; bytes: number; boundBytes: number; evictions: number } {
  let bytes = 0;
  const shops: string[] = [];
  for (const [shop, e] of entries) {
    if (!e.current) continue;
    shops.push(shop);
    bytes += e.current.bytes;
  }
  return { shops, bytes, boundBytes: servingBoundBytes(), evictions };
}

/**
 * Estimated bytes of a snapshot's data: typed arrays by their length (each buffer once), strings,
 * arrays, maps, sets and objects with V8's usual per-slot overheads, and what a part declares about
 * data its closures hold (`memoryBytes`: the serving bundle, the index fallback). An estimate (it
 * does not see V8's internal layout), used only to bound the cache.
 */
export function estimateBytes(root: unknown): number {
  const seen = new WeakSet<object>();
  const buffers = new WeakSet<ArrayBufferLike>();
  let bytes = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") {
      bytes += 16 + v.length;
      continue;
    }
    if (typeof v === "number" || typeof v === "boolean") {
      bytes += 8;
      continue;
    }
    if (v === null || typeof v !== "object" || seen.has(v)) continue;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (!buffers.has(v.buffer)) {
        buffers.add(v.buffer);
        bytes += v.buffer.byteLength;
      }
      continue;
    }
    if (v instanceof ArrayBuffer) {
      if (!buffers.has(v)) {
        buffers.add(v);
        bytes += v.byteLength;
      }
      continue;
    }
    if (Array.isArray(v)) {
      bytes += 16 + 8 * v.length;
      for (const x of v) stack.push(x);
      continue;
    }
    if (v instanceof Map) {
      bytes += 32 + 40 * v.size;
      for (const [k, x] of v) stack.push(k, x);
      continue;
    }
    if (v instanceof Set) {
      bytes += 32 + 24 * v.size;
      for (const x of v) stack.push(x);
      continue;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.memoryBytes === "number") bytes += o.memoryBytes;
    const keys = Object.keys(o);
    bytes += 24 + 8 * keys.length;
    for (const k of keys) stack.push(o[k]);
  }
  return bytes;
}

/**
 * Structural changes (model version, settings, catalogue, vectors, customers) rebuild at once; new
 * orders at most every BEHAVIOUR_REBUILD_MS. New storefront interactions alone never rebuild: they
 * reach requests through the live tail (refreshLive), and the world's popularity and histories
 * follow at the next model version (issue 17: a synchronous rebuild of the world per minute of
 * traffic held the event loop for seconds while interactions arrived).
 */
export function needsRebuild(s: Snapshot, stamp: string, now: number): boolean {
  if (stamp === s.stamp) return false;
  const parts = (x: string) => x.split("|");
  const [a, b] = [parts(stamp), parts(s.stamp)];
  if (a.slice(0, 5).join("|") !== b.slice(0, 5).join("|")) return true;
  const ordersMoved = a.slice(6).join("|") !== b.slice(6).join("|");
  return ordersMoved && now - s.builtAt >= BEHAVIOUR_REBUILD_MS;
}

/**
 * Between rebuilds, customers' new interactions join their histories through the live tail, so a
 * view counts within seconds (recency, fold-in) rather than at the next rebuild.
 */
export function refreshLive(s: Snapshot): void {
  const rows = interactionsSince(s.shop, s.liveSince);
  if (rows.length === 0) return;
  const live = new Map([...s.live].map(([k, v]) => [k, v.slice()]));
  for (const r of rows) {
    const item = s.world.catalog.index.get(r.productId);
    const at = parseStoredTime(r.timestamp);
    if (item === undefined || !Number.isFinite(at) || !INTERACTION_TYPES.includes(r.type as InteractionType)) continue;
    const list = live.get(r.customerId) ?? [];
    list.push({ item, type: r.type as InteractionType, at });
    live.set(r.customerId, list.slice(-50));
  }
  s.liveSince = rows[rows.length - 1].timestamp;
  s.live = live;
}

function startRebuild(shop: string, entry: Entry, now: number): void {
  if (entry.rebuilding) {
    entry.again = true;
    return;
  }
  entry.rebuilding = buildSnapshot(shop, now)
    .then((s) => {
      entry.current = s; // the swap: one assignment
      if (entries.get(shop) === entry) enforceBound(shop);
    })
    .catch((err) => {
      console.error(`[serving] ${shop}: rebuilding the snapshot failed, still serving version ${entry.current?.modelVersion ?? "none"}: ${(err as Error).message}`);
    })
    .finally(() => {
      entry.rebuilding = null;
      if (entry.again && entries.get(shop) === entry) {
        entry.again = false;
        startRebuild(shop, entry, systemClock.nowMs());
      }
    });
}

/**
 * Rebuilds now and waits for the swap (the train job, the settings and experiment pages call this
 * after publishing), and announces the change to the other machines (`what`: what changed).
 */
export async function refreshSnapshot(shop: string, now = systemClock.nowMs(), what: ServingChangeKind = "settings"): Promise<Snapshot> {
  const s = await buildSnapshot(shop, now);
  const entry = entries.get(shop);
  if (entry) {
    entry.current = s;
    entry.checkedAt = now;
  } else entries.set(shop, { current: s, first: null, rebuilding: null, checkedAt: now });
  enforceBound(shop);
  await announceServingChange(shop, what);
  return s;
}

/** Forgets a shop's snapshot (uninstall, tests). */
export function dropSnapshot(shop?: string): void {
  if (shop === undefined) entries.clear();
  else entries.delete(shop);
}

/**
 * A change of the shop announced by another machine (or seen in its counters): a loaded shop is
 * rebuilt at once (a rebuild in flight is followed by another one); experiments alone reload the
 * running list; a redacted shop is forgotten, with this machine's copies of its artifacts.
 */
export function noteServingChange(shop: string, what: ServingChangeKind, now = systemClock.nowMs()): void {
  if (what === "shop-redacted") {
    dropSnapshot(shop);
    invalidateShop(shop);
    dropLocalCopies(shop);
    return;
  }
  const entry = entries.get(shop);
  if (!entry?.current) return; // not served here: its first request loads the new state
  if (what === "experiments") {
    entry.experimentsCheckedAt = now;
    refreshExperiments(entry.current);
    return;
  }
  entry.checkedAt = now;
  startRebuild(shop, entry, now);
}

const ZERO_STAMP = "0|0|0|0|0|0|0";

/** One read of the change counters (and experiments) of every shop this process serves, in one query each. */
export function pollServingChanges(now = systemClock.nowMs()): number {
  const loaded = [...entries].filter(([, e]) => e.current !== null);
  if (!loaded.length) return 0;
  const shops = loaded.map(([shop]) => shop);
  const stamps = servingStamps(shops);
  const experiments = experimentsStamps(shops);
  let rebuilt = 0;
  for (const [shop, e] of loaded) {
    const s = e.current!;
    const stamp = stamps.get(shop)!;
    if (stamp === ZERO_STAMP && s.stamp !== ZERO_STAMP) {
      noteServingChange(shop, "shop-redacted", now); // its counters went with its rows (shop/redact)
      continue;
    }
    if (experiments.get(shop) !== s.experiments.stamp) refreshExperiments(s);
    if (e.rebuilding) continue;
    e.checkedAt = now;
    if (needsRebuild(s, stamp, now)) {
      startRebuild(shop, e, now);
      rebuilt++;
    } else if (stamp !== s.stamp) refreshLive(s);
  }
  return rebuilt;
}

let watch: { timer: ReturnType<typeof setInterval>; unsubscribe: (() => Promise<void>) | null; pollMs: number } | undefined;

/**
 * Starts following changes made on other machines (the web server calls it at start-up): Redis
 * pub/sub when REDIS_URL is set, and the change-counter read every FACET_CHANGE_POLL_MS.
 */
export async function startChangeWatch(): Promise<{ pollMs: number; pubsub: boolean }> {
  if (!watch) {
    const e = env();
    const pollMs = e.FACET_CHANGE_POLL_MS ?? (e.REDIS_URL ? 3_000 : 1_000);
    const timer = setInterval(() => {
      try {
        pollServingChanges();
      } catch (err) {
        console.error(`[serving] reading the change counters failed (next try in ${pollMs} ms): ${(err as Error).message}`);
      }
    }, pollMs);
    timer.unref();
    watch = { timer, unsubscribe: null, pollMs };
    const w = watch;
    w.unsubscribe = await subscribeServingChanges((m) => noteServingChange(m.shop, m.what)).catch((err) => {
      console.error(`[serving] no Redis subscription for serving changes (${(err as Error).message}): the change counters are read every ${pollMs} ms`);
      return null;
    });
  }
  return { pollMs: watch.pollMs, pubsub: watch.unsubscribe !== null };
}

export async function stopChangeWatch(): Promise<void> {
  const w = watch;
  watch = undefined;
  if (!w) return;
  clearInterval(w.timer);
  await w.unsubscribe?.();
}

/** For tests: wait until a background rebuild (if any) has swapped. */
export async function settled(shop: string): Promise<void> {
  await entries.get(shop)?.rebuilding;
}
