/**
 * Small handcrafted worlds for the hybrid recommender's tests: a catalogue in columns, an EventTable
 * from readable rows, a brute-force VectorSearch and a hand-made CF model.
 */
import { buildWorld } from "../../app/recommend/buildWorld";
import { type WorldInput } from "../../app/recommend/world";
import { DEFAULT_SETTINGS, mergeSettings, type SettingsOverride } from "../../app/recommend/settings";
import type { Catalog, CfModel, CustomerProfile, EventTable, InteractionType, ItemNeighbours, VectorSearch } from "../../app/recommend/types";
import { INTERACTION_TYPES } from "../../app/recommend/types";

export const DAY = 86_400_000;
/** 2026-07-15 12:00 UTC: summer (no Christmas). */
export const NOW = Date.UTC(2026, 6, 15, 12);

export interface ProductSpec {
  id: string;
  title?: string;
  category?: string;
  brand?: string;
  collection?: string | null;
  material?: string;
  color?: string | null;
  gender?: string | null;
  price?: number;
  inStock?: boolean;
  createdAt?: number;
  tags?: string[];
  vector?: number[];
}

export function makeCatalog(specs: ProductSpec[]): Catalog {
  const sorted = [...specs].sort((a, b) => (a.id < b.id ? -1 : 1));
  const c: Catalog = {
    ids: sorted.map((s) => s.id),
    index: new Map(sorted.map((s, i) => [s.id, i])),
    title: sorted.map((s) => s.title ?? `Product ${s.id}`),
    category: sorted.map((s) => s.category ?? "rings"),
    brand: sorted.map((s) => s.brand ?? "Facet"),
    collection: sorted.map((s) => s.collection ?? null),
    material: sorted.map((s) => s.material ?? "Silber"),
    color: sorted.map((s) => s.color ?? null),
    gender: sorted.map((s) => s.gender ?? null),
    stoneType: sorted.map(() => null),
    price: Float64Array.from(sorted.map((s) => s.price ?? 50)),
    inStock: Uint8Array.from(sorted.map((s) => (s.inStock === false ? 0 : 1))),
    createdAt: Float64Array.from(sorted.map((s) => s.createdAt ?? NOW - 365 * DAY)),
    tags: sorted.map((s) => s.tags ?? []),
    imageUrl: sorted.map((s) => `https://img.example/${s.id}.jpg`),
    handle: sorted.map((s) => s.id.toLowerCase()),
  };
  return c;
}

export interface EventSpec {
  customer: string | null;
  product: string;
  type: InteractionType;
  at: number;
  order?: string; // order id: an order line
  quantity?: number;
  cancelled?: boolean;
}

export function makeEvents(catalog: Catalog, rows: EventSpec[]): EventTable {
  const customers: string[] = [];
  const cIndex = new Map<string, number>();
  const baskets = new Map<string, number>();
  const n = rows.length;
  const t: EventTable = {
    length: n,
    customers,
    customer: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    at: new Float64Array(n),
    quantity: new Float32Array(n),
    duration: new Float32Array(n).fill(NaN),
    basket: new Int32Array(n).fill(-1),
    fromOrder: new Uint8Array(n),
    cancelled: new Uint8Array(n),
  };
  rows.forEach((r, e) => {
    let c = -1;
    if (r.customer) {
      c = cIndex.get(r.customer) ?? -1;
      if (c < 0) {
        c = customers.length;
        customers.push(r.customer);
        cIndex.set(r.customer, c);
      }
    }
    const item = catalog.index.get(r.product);
    if (item === undefined) throw new Error(`fixture: unknown product ${r.product}`);
    t.customer[e] = c;
    t.item[e] = item;
    t.type[e] = INTERACTION_TYPES.indexOf(r.type);
    t.at[e] = r.at;
    t.quantity[e] = r.quantity ?? 1;
    if (r.order) {
      if (!baskets.has(r.order)) baskets.set(r.order, baskets.size);
      t.basket[e] = baskets.get(r.order)!;
      t.fromOrder[e] = 1;
    }
    t.cancelled[e] = r.cancelled ? 1 : 0;
  });
  return t;
}

export function emptyEvents(): EventTable {
  return makeEvents(makeCatalog([]), []);
}

/** Exact cosine search over the given vectors (L2-normalised here). */
export function makeVectorSearch(catalog: Catalog, vectors: Map<string, number[]>): VectorSearch {
  const dim = [...vectors.values()][0]?.length ?? 0;
  const byItem = new Map<number, Float32Array>();
  for (const [id, v] of vectors) {
    const i = catalog.index.get(id);
    if (i === undefined) continue;
    const norm = Math.hypot(...v) || 1;
    byItem.set(i, Float32Array.from(v.map((x) => x / norm)));
  }
  return {
    dim,
    vector: (item) => byItem.get(item) ?? null,
    search(query, k, exclude) {
      const out: { item: number; score: number }[] = [];
      for (const [item, v] of byItem) {
        if (exclude?.has(item)) continue;
        let s = 0;
        for (let d = 0; d < dim; d++) s += query[d] * v[d];
        out.push({ item, score: s });
      }
      return out.sort((a, b) => b.score - a.score || a.item - b.item).slice(0, k);
    },
  };
}

export function vectorsOf(specs: ProductSpec[]): Map<string, number[]> {
  return new Map(specs.filter((s) => s.vector).map((s) => [s.id, s.vector!]));
}

/** A CF model with given user and item factor rows (item rows aligned to the catalogue). */
export function makeCf(catalog: Catalog, factors: number, users: Record<string, number[]>, items: Record<string, number[]>): CfModel {
  const userIds = Object.keys(users);
  const itemFactors = new Float32Array(catalog.ids.length * factors);
  for (const [id, v] of Object.entries(items)) itemFactors.set(v, catalog.index.get(id)! * factors);
  // Products without a row get a tiny distinct vector so the Gram matrix stays well conditioned.
  catalog.ids.forEach((id, i) => {
    if (!(id in items)) for (let f = 0; f < factors; f++) itemFactors[i * factors + f] = 0.01 * ((i + f) % 3);
  });
  const userFactors = new Float32Array(userIds.length * factors);
  userIds.forEach((u, j) => userFactors.set(users[u], j * factors));
  return { factors, userIds, userIndex: new Map(userIds.map((u, j) => [u, j])), userFactors, itemFactors, regularization: 0.1, alpha: 2 };
}

/** CSR neighbour lists from pairs (both directions). */
export function makeNeighbours(catalog: Catalog, pairs: [string, string, number][]): ItemNeighbours {
  const n = catalog.ids.length;
  const rows: { j: number; s: number }[][] = Array.from({ length: n }, () => []);
  for (const [a, b, s] of pairs) {
    const i = catalog.index.get(a)!;
    const j = catalog.index.get(b)!;
    rows[i].push({ j, s });
    rows[j].push({ j: i, s });
  }
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  rows.forEach((r, i) => {
    r.sort((x, y) => y.s - x.s);
    for (const e of r) {
      indices.push(e.j);
      scores.push(e.s);
    }
    indptr[i + 1] = indices.length;
  });
  return { indptr, indices: Int32Array.from(indices), scores: Float32Array.from(scores) };
}

export function profile(id: string, p: Partial<CustomerProfile> = {}): CustomerProfile {
  return { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false, ...p };
}

export function world(parts: Partial<Omit<WorldInput, "settings">> & { catalog: Catalog; settings?: SettingsOverride }) {
  return buildWorld({
    events: parts.events ?? emptyEvents(),
    customers: parts.customers ?? [],
    cf: parts.cf ?? null,
    boughtTogether: parts.boughtTogether ?? null,
    viewedTogether: parts.viewedTogether ?? null,
    visual: parts.visual ?? null,
    now: parts.now ?? NOW,
    catalog: parts.catalog,
    impressions: parts.impressions ?? null,
    guards: parts.guards ?? null,
    settings: mergeSettings(DEFAULT_SETTINGS, parts.settings),
  });
}

/** Settings that turn diversity and exploration off, so a test sees the blend and rules alone. */
export const PLAIN: SettingsOverride = {
  placements: Object.fromEntries(
    (["product", "home", "cart", "email", "general"] as const).map((p) => [p, { diversity: { mmrLambda: 1, maxPerCategory: null, maxPerCollection: null, maxPriceTierShare: 1, explorationSlots: 0 } }]),
  ),
};

export function mergeOverrides(a: SettingsOverride, b: SettingsOverride): SettingsOverride {
  return mergeSettings(mergeSettings(DEFAULT_SETTINGS, a), b) as unknown as SettingsOverride;
}
