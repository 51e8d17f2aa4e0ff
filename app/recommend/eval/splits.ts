/**
 * Train/test splits of an EventTable for offline evaluation.
 *
 * What counts as relevant (the ground truth): a purchase, that is an order line (fromOrder = 1)
 * or an interaction of type "purchase", of a known customer, not cancelled or returned. Views,
 * clicks, cart and wishlist events are never ground truth; they stay in training when they
 * happen before the cut and are dropped with the test period otherwise (a view of the product a
 * customer is about to buy would leak the answer).
 *
 * - temporal: one cut for everybody. Train = every event (any type, any customer, anonymous
 *   ones too) strictly before the cut; test = purchases at or after it. Default cut: the time
 *   that leaves the last `testShare` of purchases in the test period.
 * - per-customer: each customer with at least two purchase times keeps the first part of their
 *   purchases for training and the last `testShare` (at least one) for test; every event of theirs
 *   at or after their own cut leaves training. Other customers' events stay (the classic
 *   leave-last-out protocol: it mixes periods across customers, which the temporal split does not).
 * - holdout: explicit (customer_id, product_id) pairs; every event of a listed customer on a
 *   listed product leaves training.
 *
 * By default a product the customer already bought in training is not a test target (repurchases
 * are filtered: the recommenders exclude purchased products, so they could never be hit).
 * Customer indices are those of the input table: train keeps the same `customers` array.
 */
import { INTERACTION_TYPES, type EventTable } from "../types";
import { sampleWithoutReplacement } from "./bootstrap";

export type SplitKind = "temporal" | "per-customer" | "holdout";
export const SPLIT_KINDS: SplitKind[] = ["temporal", "per-customer", "holdout"];

export interface Split {
  kind: SplitKind;
  train: EventTable;
  /** Test customer (dense index into train.customers) -> relevant products; never empty. */
  test: Map<number, Set<number>>;
  /** The model's clock: the cut (temporal), else just after the last training event. */
  now: number;
  /** Per test customer, the time their test period starts (their request time in evaluation). */
  userNow: Map<number, number>;
  /** Events strictly before this time may train (temporal); NaN for the other kinds. */
  cut: number;
  description: string;
  /** Things the operator should know: skipped holdout lines, filtered repurchases. */
  notes: string[];
}

export interface SplitOptions {
  /** Share of purchases (temporal) or of each customer's purchases (per-customer) held out. */
  testShare?: number;
  /** Explicit cut for the temporal split (epoch ms). */
  cut?: number;
  /** Keep products already bought in training as test targets. Default false. */
  keepRepurchases?: boolean;
}

const PURCHASE = INTERACTION_TYPES.indexOf("purchase");

/** Whether row i is ground truth: a non-cancelled purchase of a known customer. */
export function isRelevant(events: EventTable, i: number): boolean {
  return events.customer[i] >= 0 && events.cancelled[i] === 0 && (events.fromOrder[i] === 1 || events.type[i] === PURCHASE);
}

/** A new table with the rows for which keep(i) holds (same customers array, so same indices). */
export function selectRows(events: EventTable, keep: (i: number) => boolean): EventTable {
  const rows: number[] = [];
  for (let i = 0; i < events.length; i++) if (keep(i)) rows.push(i);
  const pick = <T extends Int32Array | Uint8Array | Float32Array | Float64Array>(col: T): T => {
    const out = new (col.constructor as new (n: number) => T)(rows.length);
    rows.forEach((r, j) => (out[j] = col[r]));
    return out;
  };
  return {
    length: rows.length,
    customers: events.customers,
    customer: pick(events.customer),
    item: pick(events.item),
    type: pick(events.type),
    at: pick(events.at),
    quantity: pick(events.quantity),
    duration: pick(events.duration),
    basket: pick(events.basket),
    fromOrder: pick(events.fromOrder),
    cancelled: pick(events.cancelled),
  };
}

/** Products each customer bought in a table. */
export function purchasesByCustomer(events: EventTable): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (let i = 0; i < events.length; i++) {
    if (!isRelevant(events, i)) continue;
    const c = events.customer[i];
    let set = out.get(c);
    if (!set) out.set(c, (set = new Set()));
    set.add(events.item[i]);
  }
  return out;
}

function maxTime(events: EventTable): number {
  let m = -Infinity;
  for (let i = 0; i < events.length; i++) if (events.at[i] > m) m = events.at[i];
  return m;
}

/** Drops test targets already bought in training; drops customers left with nothing. */
function finishTest(train: EventTable, test: Map<number, Set<number>>, keepRepurchases: boolean, notes: string[]): void {
  if (keepRepurchases) return;
  const bought = purchasesByCustomer(train);
  let removed = 0;
  for (const [c, items] of test) {
    const before = bought.get(c);
    if (!before) continue;
    for (const item of [...items]) {
      if (before.has(item)) {
        items.delete(item);
        removed++;
      }
    }
    if (items.size === 0) test.delete(c);
  }
  if (removed > 0) notes.push(`${removed} repurchase(s) of products already bought in training are not test targets`);
}

function checkShare(share: number): number {
  if (!(share > 0 && share < 1)) throw new Error(`testShare must be between 0 and 1 (got ${share})`);
  return share;
}

/** The time that leaves the last `share` of purchase rows at or after it. */
export function temporalCut(events: EventTable, share: number): number {
  const times: number[] = [];
  for (let i = 0; i < events.length; i++) if (isRelevant(events, i)) times.push(events.at[i]);
  if (times.length === 0) return NaN;
  times.sort((a, b) => a - b);
  const idx = Math.min(times.length - 1, Math.max(1, Math.floor(times.length * (1 - share))));
  return times[idx];
}

export function temporalSplit(events: EventTable, opts: SplitOptions = {}): Split {
  const share = checkShare(opts.testShare ?? 0.2);
  const cut = opts.cut ?? temporalCut(events, share);
  const notes: string[] = [];
  if (!Number.isFinite(cut)) notes.push("no purchases: the test period is empty");
  const train = selectRows(events, (i) => events.at[i] < cut);
  const test = new Map<number, Set<number>>();
  for (let i = 0; i < events.length; i++) {
    if (events.at[i] < cut || !isRelevant(events, i)) continue;
    const c = events.customer[i];
    let set = test.get(c);
    if (!set) test.set(c, (set = new Set()));
    set.add(events.item[i]);
  }
  finishTest(train, test, opts.keepRepurchases ?? false, notes);
  const userNow = new Map<number, number>();
  for (const c of test.keys()) userNow.set(c, cut);
  return {
    kind: "temporal",
    train,
    test,
    now: cut,
    userNow,
    cut,
    description: Number.isFinite(cut) ? `temporal: train before ${new Date(cut).toISOString()}, test from it` : "temporal (empty)",
    notes,
  };
}

export function perCustomerSplit(events: EventTable, opts: SplitOptions = {}): Split {
  const share = checkShare(opts.testShare ?? 0.2);
  // Each customer's distinct purchase times, ascending.
  const times = new Map<number, number[]>();
  for (let i = 0; i < events.length; i++) {
    if (!isRelevant(events, i)) continue;
    const c = events.customer[i];
    let list = times.get(c);
    if (!list) times.set(c, (list = []));
    list.push(events.at[i]);
  }
  const cutOf = new Map<number, number>();
  for (const [c, list] of times) {
    const distinct = [...new Set(list)].sort((a, b) => a - b);
    if (distinct.length < 2) continue; // nothing left to train on: the customer stays in training only
    const held = Math.min(distinct.length - 1, Math.max(1, Math.round(distinct.length * share)));
    cutOf.set(c, distinct[distinct.length - held]);
  }
  const inTest = (i: number) => {
    const cut = cutOf.get(events.customer[i]);
    return cut !== undefined && events.at[i] >= cut;
  };
  const train = selectRows(events, (i) => !inTest(i));
  const test = new Map<number, Set<number>>();
  for (let i = 0; i < events.length; i++) {
    if (!inTest(i) || !isRelevant(events, i)) continue;
    const c = events.customer[i];
    let set = test.get(c);
    if (!set) test.set(c, (set = new Set()));
    set.add(events.item[i]);
  }
  const notes: string[] = [];
  finishTest(train, test, opts.keepRepurchases ?? false, notes);
  const userNow = new Map<number, number>();
  for (const c of test.keys()) userNow.set(c, cutOf.get(c)!);
  return {
    kind: "per-customer",
    train,
    test,
    now: maxTime(train) + 1,
    userNow,
    cut: NaN,
    description: `per-customer: each customer's last ${Math.round(share * 100)} % of purchase times held out`,
    notes,
  };
}

export interface HoldoutPair {
  customerId: string;
  productId: string;
  /** Where the pair came from, for messages ("holdout.csv:12"). */
  where?: string;
}

export function holdoutSplit(events: EventTable, pairs: readonly HoldoutPair[], productIndex: ReadonlyMap<string, number>, opts: SplitOptions = {}): Split {
  const customerIndex = new Map(events.customers.map((id, i) => [id, i]));
  const notes: string[] = [];
  const test = new Map<number, Set<number>>();
  let unknown = 0;
  for (const p of pairs) {
    const c = customerIndex.get(p.customerId);
    const item = productIndex.get(p.productId);
    if (c === undefined || item === undefined) {
      unknown++;
      if (unknown <= 5) notes.push(`${p.where ?? "holdout"}: ${c === undefined ? `customer ${p.customerId}` : `product ${p.productId}`} is not in this shop; line skipped`);
      continue;
    }
    let set = test.get(c);
    if (!set) test.set(c, (set = new Set()));
    set.add(item);
  }
  if (unknown > 5) notes.push(`... ${unknown} holdout lines skipped in all`);
  const held = (i: number) => test.get(events.customer[i])?.has(events.item[i]) ?? false;
  const train = selectRows(events, (i) => !held(i));
  finishTest(train, test, opts.keepRepurchases ?? false, notes);
  const now = maxTime(events) + 1;
  const userNow = new Map<number, number>();
  for (const c of test.keys()) userNow.set(c, now);
  return { kind: "holdout", train, test, now, userNow, cut: NaN, description: `holdout: ${pairs.length} listed pairs`, notes };
}

/**
 * Parses a holdout file: `customer_id,product_id` with an optional header line. Errors name the
 * file, line and column. Quotes around a field are removed (ids may be quoted to keep leading zeros).
 */
export function parseHoldoutCsv(text: string, fileName: string): HoldoutPair[] {
  const pairs: HoldoutPair[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === "") return;
    const fields = line.split(",").map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
    if (n === 0 && fields[0].toLowerCase() === "customer_id") return;
    if (fields.length < 2 || fields[0] === "" || fields[1] === "") {
      const col = fields[0] === "" ? 1 : line.indexOf(",") + 2;
      throw new Error(`${fileName}:${n + 1}:${col}: expected "customer_id,product_id", got "${raw}"; fix the line or remove it`);
    }
    pairs.push({ customerId: fields[0], productId: fields[1], where: `${fileName}:${n + 1}` });
  });
  if (pairs.length === 0) throw new Error(`${fileName}: no customer_id,product_id pairs found; add at least one line`);
  return pairs;
}

/**
 * A validation slice carved from a training table, for tuning: the same protocol applied to the
 * training period only (holdout files have no notion of time, so tuning under a holdout split
 * uses the per-customer protocol on the remaining events). Nothing of the test period can reach it,
 * because its input is already the training table.
 */
export function validationSplit(train: EventTable, kind: SplitKind, opts: SplitOptions = {}): Split {
  const inner = { testShare: opts.testShare ?? 0.2, keepRepurchases: opts.keepRepurchases };
  return kind === "temporal" ? temporalSplit(train, inner) : perCustomerSplit(train, inner);
}

/** A validation slice for tuning: inner training table, cut, and the scored customers. */
export interface ValidationSlice {
  /** Events strictly before the cut (all types, all customers): what trial models train on. */
  train: EventTable;
  /** Start of the validation period (epoch ms); NaN without purchases. */
  cut: number;
  /**
   * Validation customers known in the inner training table (they have a training row), each with
   * their first purchases of new products at or after the cut and what they bought before it;
   * seeded sample of at most maxUsers, ascending customer index.
   */
  users: { index: number; id: string; relevant: Set<number>; bought: Set<number> }[];
}

/**
 * The slice every train-time tuner uses (cf/tune.ts for the collaborative model; the blend's
 * per-placement weights may use the same): the temporal protocol applied to `events` alone, the
 * last `share` of their purchases held out. Give it the training period only (in offline
 * evaluation, Split.train): it has no other input, so it cannot see a test period.
 */
export function validationSlice(events: EventTable, opts: { share?: number; maxUsers?: number; seed?: number } = {}): ValidationSlice {
  const split = temporalSplit(events, { testShare: opts.share ?? 0.15 });
  const known = new Set<number>();
  for (let i = 0; i < split.train.length; i++) if (split.train.customer[i] >= 0) known.add(split.train.customer[i]);
  const bought = purchasesByCustomer(split.train);
  let ids = [...split.test.keys()].filter((u) => known.has(u)).sort((a, b) => a - b);
  if (opts.maxUsers !== undefined && ids.length > opts.maxUsers) ids = sampleWithoutReplacement(ids, opts.maxUsers, opts.seed ?? 42).sort((a, b) => a - b);
  return {
    train: split.train,
    cut: split.cut,
    users: ids.map((index) => ({ index, id: events.customers[index], relevant: split.test.get(index)!, bought: bought.get(index) ?? new Set() })),
  };
}

export function makeSplit(
  events: EventTable,
  kind: SplitKind,
  opts: SplitOptions & { holdout?: readonly HoldoutPair[]; productIndex?: ReadonlyMap<string, number> } = {},
): Split {
  if (kind === "temporal") return temporalSplit(events, opts);
  if (kind === "per-customer") return perCustomerSplit(events, opts);
  if (!opts.holdout || !opts.productIndex) throw new Error("the holdout split needs a holdout file (customer_id,product_id)");
  return holdoutSplit(events, opts.holdout, opts.productIndex, opts);
}
