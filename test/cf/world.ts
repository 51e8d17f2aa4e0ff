/**
 * Small synthetic worlds with planted structure, as EventTables (the demo generator is another
 * engineer's; these are self-contained and seeded).
 */
import { INTERACTION_TYPES, type EventTable, type InteractionType } from "../../app/recommend/types";
import { mulberry32 } from "../../app/recommend/random";

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 1);

export interface RawEvent {
  customer: number; // -1 anonymous
  item: number;
  type: InteractionType;
  at?: number;
  quantity?: number;
  duration?: number;
  basket?: number;
  fromOrder?: boolean;
  cancelled?: boolean;
}

export function eventTable(nCustomers: number, rows: RawEvent[]): EventTable {
  const n = rows.length;
  const t: EventTable = {
    length: n,
    customers: Array.from({ length: nCustomers }, (_, i) => `C${i}`),
    customer: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    at: new Float64Array(n),
    quantity: new Float32Array(n),
    duration: new Float32Array(n),
    basket: new Int32Array(n),
    fromOrder: new Uint8Array(n),
    cancelled: new Uint8Array(n),
  };
  rows.forEach((r, e) => {
    t.customer[e] = r.customer;
    t.item[e] = r.item;
    t.type[e] = INTERACTION_TYPES.indexOf(r.type);
    t.at[e] = r.at ?? NOW - DAY;
    t.quantity[e] = r.quantity ?? 1;
    t.duration[e] = r.duration ?? NaN;
    t.basket[e] = r.basket ?? -1;
    t.fromOrder[e] = r.fromOrder ? 1 : 0;
    t.cancelled[e] = r.cancelled ? 1 : 0;
  });
  return t;
}

/**
 * `groups` taste groups: customer u belongs to group u % groups and buys products i with
 * i % groups === u % groups (groups = 2: the checkerboard, even customers like even products).
 * Each customer places `orders` orders of 2 products of their group (popular ones more often),
 * views a few products of their group for long and clicks `noise` random products.
 */
export function plantedWorld(opts: { customers: number; items: number; groups: number; orders: number; noise: number; seed: number }) {
  const rng = mulberry32(opts.seed);
  const rows: RawEvent[] = [];
  const perGroup = Math.floor(opts.items / opts.groups);
  // Popularity skew inside a group: rank r chosen with weight 1 / (r + 2).
  const pickInGroup = (g: number) => {
    const w = Array.from({ length: perGroup }, (_, r) => 1 / (r + 2));
    let t = rng() * w.reduce((a, b) => a + b, 0);
    let r = 0;
    for (; r < perGroup - 1 && (t -= w[r]) > 0; r++);
    return r * opts.groups + g;
  };
  let basket = 0;
  let session = 1_000_000;
  for (let u = 0; u < opts.customers; u++) {
    const g = u % opts.groups;
    for (let o = 0; o < opts.orders; o++) {
      const at = NOW - Math.floor(rng() * 200) * DAY;
      const a = pickInGroup(g);
      let b = pickInGroup(g);
      if (b === a) b = (a + opts.groups) % (perGroup * opts.groups);
      rows.push({ customer: u, item: a, type: "purchase", at, fromOrder: true, basket });
      rows.push({ customer: u, item: b, type: "purchase", at, fromOrder: true, basket });
      basket++;
    }
    const s = session++;
    for (let v = 0; v < 3; v++) rows.push({ customer: u, item: pickInGroup(g), type: "view", duration: 60, basket: s, at: NOW - 3 * DAY });
    for (let c = 0; c < opts.noise; c++) rows.push({ customer: u, item: Math.floor(rng() * opts.items), type: "click", basket: s, at: NOW - 3 * DAY });
  }
  return { events: eventTable(opts.customers, rows), rows, nItems: opts.items };
}
