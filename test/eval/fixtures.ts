/** Tiny hand-made catalogues, event tables and profiles for the evaluation tests. */
import { INTERACTION_TYPES, type Catalog, type CustomerProfile, type EventTable, type InteractionType } from "../../app/recommend/types";

export function tinyCatalog(n: number, opts: { price?: (i: number) => number; gender?: (i: number) => string | null; brand?: (i: number) => string } = {}): Catalog {
  const ids = Array.from({ length: n }, (_, i) => `P${i}`);
  return {
    ids,
    index: new Map(ids.map((id, i) => [id, i])),
    title: ids.map((id) => `Ring ${id}`),
    category: ids.map(() => "rings"),
    brand: ids.map((_, i) => opts.brand?.(i) ?? "Facet"),
    collection: ids.map(() => null),
    material: ids.map(() => "Silber"),
    color: ids.map(() => null),
    gender: ids.map((_, i) => opts.gender?.(i) ?? "unisex"),
    stoneType: ids.map(() => null),
    price: Float64Array.from(ids, (_, i) => opts.price?.(i) ?? 10 + i),
    inStock: new Uint8Array(n).fill(1),
    createdAt: new Float64Array(n).fill(0),
    tags: ids.map(() => []),
    imageUrl: ids.map((id) => `img/${id}.png`),
    handle: ids.map(() => null),
  };
}

export interface Row {
  customer: number; // -1 anonymous
  item: number;
  type: InteractionType;
  at: number;
  fromOrder?: boolean;
  cancelled?: boolean;
  basket?: number;
}

export function table(customers: string[], rows: Row[]): EventTable {
  const n = rows.length;
  return {
    length: n,
    customers,
    customer: Int32Array.from(rows, (r) => r.customer),
    item: Int32Array.from(rows, (r) => r.item),
    type: Uint8Array.from(rows, (r) => INTERACTION_TYPES.indexOf(r.type)),
    at: Float64Array.from(rows, (r) => r.at),
    quantity: new Float32Array(n).fill(1),
    duration: new Float32Array(n).fill(NaN),
    basket: Int32Array.from(rows, (r) => r.basket ?? -1),
    fromOrder: Uint8Array.from(rows, (r) => (r.fromOrder ? 1 : 0)),
    cancelled: Uint8Array.from(rows, (r) => (r.cancelled ? 1 : 0)),
  };
}

export function profile(id: string, p: Partial<CustomerProfile> = {}): CustomerProfile {
  return { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false, ...p };
}

export const DAY = 86_400_000;
