/**
 * The world's per-customer storage as typed columns: profiles dictionary-coded, histories and
 * purchases in CSR form behind read-only maps that build one customer's value on `get`, and a
 * byte-bounded memo for product vectors. A 200,000-customer shop as objects would cost more heap
 * than the rest of the world.
 */
import type { CustomerProfile, Event, EventTable } from "./types";
import { INTERACTION_TYPES } from "./types";

/**
 * Memoised product vectors cost their size on the heap (1,392-d: 5.6 kB each, a 50,000-product
 * catalogue 278 MB), so each cache keeps at most this many bytes of vectors; past it the oldest
 * entries go (insertion order), and the index is asked again when they come back.
 */
export const VECTOR_CACHE_BYTES = 8 << 20;

export function boundedCache<V extends Float32Array | null>(maxBytes: number) {
  const map = new Map<number, V>();
  let bytes = 0;
  return {
    get: (key: number) => map.get(key),
    set(key: number, v: V) {
      const size = 64 + (v ? v.byteLength : 0);
      while (bytes + size > maxBytes && map.size > 0) {
        const [oldest, old] = map.entries().next().value as [number, V];
        map.delete(oldest);
        bytes -= 64 + (old ? old.byteLength : 0);
      }
      map.set(key, v);
      bytes += size;
    },
  };
}

/** Growable typed column. */
class Column<T extends Int32Array | Uint8Array | Float32Array | Float64Array> {
  length = 0;
  constructor(public data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(Math.max(16, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** Trims the spare capacity. */
  seal(): T {
    this.data = this.data.slice(0, this.length) as T;
    return this.data;
  }
}

/**
 * A read-only map from customer id to a value stored in columns, built on `get`: the customers of a
 * large shop (200,000) as objects would cost more than the rest of the world.
 */
abstract class ColumnMap<V> implements ReadonlyMap<string, V> {
  /** Customer id -> row (customers with data only). */
  protected readonly row = new Map<string, number>();
  protected readonly offsets = new Column(new Int32Array(1024));
  constructor(protected readonly ids: string[]) {
    this.offsets.push(0);
  }
  protected abstract build(from: number, to: number): V;
  protected addRow(c: number, end: number): void {
    this.row.set(this.ids[c], this.offsets.length - 1);
    this.offsets.push(end);
  }
  get size(): number {
    return this.row.size;
  }
  has(id: string): boolean {
    return this.row.has(id);
  }
  get(id: string): V | undefined {
    const r = this.row.get(id);
    return r === undefined ? undefined : this.build(this.offsets.data[r], this.offsets.data[r + 1]);
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  *entries(): MapIterator<[string, V]> {
    for (const k of this.row.keys()) yield [k, this.get(k)!];
  }
  keys(): MapIterator<string> {
    return this.row.keys();
  }
  *values(): MapIterator<V> {
    for (const k of this.row.keys()) yield this.get(k)!;
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

/**
 * Customer profiles as columns: the text fields dictionary-coded (a few distinct values each), the
 * numbers as Float64 (NaN = null), the flags as bytes. A 200,000-customer shop's profiles as objects
 * (with their own copies of "female", "DE", ...) cost tens of MB of heap.
 */
export class ColumnProfiles implements ReadonlyMap<string, CustomerProfile> {
  private readonly row = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly dict: string[] = [];
  private readonly codes = new Map<string, number>();
  /** gender, ageGroup, country, segment: dictionary codes, 0 = null. */
  private readonly text: Uint32Array;
  private readonly money: Float64Array;
  /** optOut (0/1) | marketingConsent << 1 (0 false, 1 true, 2 null, 3 absent). */
  private readonly flags: Uint8Array;
  constructor(profiles: CustomerProfile[]) {
    const n = profiles.length;
    this.text = new Uint32Array(n * 4);
    this.money = new Float64Array(n * 2);
    this.flags = new Uint8Array(n);
    profiles.forEach((p, r) => {
      if (this.row.has(p.id)) {
        // A later duplicate wins, as it would in a Map built from the list.
        r = this.row.get(p.id)!;
      } else {
        this.row.set(p.id, this.ids.length);
        r = this.ids.length;
        this.ids.push(p.id);
      }
      this.text[r * 4] = this.code(p.gender);
      this.text[r * 4 + 1] = this.code(p.ageGroup);
      this.text[r * 4 + 2] = this.code(p.country);
      this.text[r * 4 + 3] = this.code(p.segment);
      this.money[r * 2] = p.avgOrderValue ?? NaN;
      this.money[r * 2 + 1] = p.lifetimeValue ?? NaN;
      const consent = !("marketingConsent" in p) || p.marketingConsent === undefined ? 3 : p.marketingConsent === null ? 2 : p.marketingConsent ? 1 : 0;
      this.flags[r] = (p.optOut ? 1 : 0) | (consent << 1);
    });
  }
  private code(v: string | null): number {
    if (v === null || v === undefined) return 0;
    let c = this.codes.get(v);
    if (c === undefined) {
      this.dict.push(v);
      this.codes.set(v, (c = this.dict.length));
    }
    return c;
  }
  private textAt(r: number, j: number): string | null {
    const c = this.text[r * 4 + j];
    return c === 0 ? null : this.dict[c - 1];
  }
  private build(r: number): CustomerProfile {
    const aov = this.money[r * 2];
    const ltv = this.money[r * 2 + 1];
    const f = this.flags[r];
    const consent = f >> 1;
    const p: CustomerProfile = {
      id: this.ids[r],
      gender: this.textAt(r, 0),
      ageGroup: this.textAt(r, 1),
      country: this.textAt(r, 2),
      avgOrderValue: Number.isNaN(aov) ? null : aov,
      segment: this.textAt(r, 3),
      lifetimeValue: Number.isNaN(ltv) ? null : ltv,
      optOut: (f & 1) === 1,
    };
    if (consent !== 3) p.marketingConsent = consent === 2 ? null : consent === 1;
    return p;
  }
  get size(): number {
    return this.row.size;
  }
  has(id: string): boolean {
    return this.row.has(id);
  }
  get(id: string): CustomerProfile | undefined {
    const r = this.row.get(id);
    return r === undefined ? undefined : this.build(r);
  }
  forEach(fn: (value: CustomerProfile, key: string, map: ReadonlyMap<string, CustomerProfile>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  *entries(): MapIterator<[string, CustomerProfile]> {
    for (const [k, r] of this.row) yield [k, this.build(r)];
  }
  keys(): MapIterator<string> {
    return this.row.keys();
  }
  *values(): MapIterator<CustomerProfile> {
    for (const r of this.row.values()) yield this.build(r);
  }
  [Symbol.iterator](): MapIterator<[string, CustomerProfile]> {
    return this.entries();
  }
}

export class ColumnHistories extends ColumnMap<Event[]> {
  private readonly item = new Column(new Int32Array(1024));
  private readonly type = new Column(new Uint8Array(1024));
  private readonly at = new Column(new Float64Array(1024));
  private readonly weight = new Column(new Float32Array(1024));
  /** Adds a customer's events (rows of the table, oldest first); order lines count as purchases. */
  add(c: number, rows: Int32Array, events: EventTable, purchaseType: number): void {
    for (const e of rows) {
      this.item.push(events.item[e]);
      this.type.push(events.fromOrder[e] ? purchaseType : events.type[e]);
      this.at.push(events.at[e]);
      this.weight.push(events.quantity[e] || 1);
    }
    this.addRow(c, this.item.length);
  }
  seal(): void {
    for (const col of [this.item, this.type, this.at, this.weight, this.offsets]) col.seal();
  }
  protected build(from: number, to: number): Event[] {
    const out: Event[] = new Array(to - from);
    for (let j = from; j < to; j++) out[j - from] = { item: this.item.data[j], type: INTERACTION_TYPES[this.type.data[j]], at: this.at.data[j], weight: this.weight.data[j] };
    return out;
  }
}

export class ColumnPurchases extends ColumnMap<Set<number>> {
  private readonly items = new Column(new Int32Array(1024));
  /** Adds a customer's bought products (none: the customer is not in the map). */
  add(c: number, bought: Set<number>): void {
    if (bought.size === 0) return;
    for (const i of bought) this.items.push(i);
    this.addRow(c, this.items.length);
  }
  seal(): void {
    this.items.seal();
    this.offsets.seal();
  }
  protected build(from: number, to: number): Set<number> {
    return new Set(this.items.data.subarray(from, to));
  }
}

export function emptyEventTable(customers: string[]): EventTable {
  return {
    length: 0,
    customers,
    customer: new Int32Array(0),
    item: new Int32Array(0),
    type: new Uint8Array(0),
    at: new Float64Array(0),
    quantity: new Float32Array(0),
    duration: new Float32Array(0),
    basket: new Int32Array(0),
    fromOrder: new Uint8Array(0),
    cancelled: new Uint8Array(0),
  } as EventTable;
}

