/**
 * From behaviour to implicit-feedback strength r(u,i), the input of ALS (Hu, Koren, Volinsky 2008:
 * preference p = [r > 0], confidence c = 1 + alpha * r; alpha lives in AlsParams).
 *
 * r(u,i) = sum over u's events on i of  weight(type, duration) * quantity * 0.5^(age / halfLife),
 * following the seed's priority purchase > add_to_wishlist > add_to_cart > view (> 30 s) > click.
 * remove_from_cart subtracts; lines of cancelled or returned orders contribute
 * `cancelledOrderWeight` (0 by default: the purchase is removed, not punished). Pairs whose sum is
 * <= 0 are left out of the matrix (ALS treats them like unobserved pairs).
 *
 * Scale: with `scale: "log"` the summed strength becomes log(1 + r / logEpsilon) (Hu, Koren,
 * Volinsky's second form): the tenth repeat purchase or a line of 40 units adds a little, not ten
 * or forty times the taste. Applied after summing per (customer, product), in training and fold-in
 * alike (scaleStrength).
 *
 * Time: decay ages are measured from a reference time, the shop's latest event at or before `now`
 * (referenceTime): for a live shop that is about now, for an imported history its last day, so a
 * last-year export is not decayed to nothing by the wall clock.
 */
import { INTERACTION_TYPES, type ConfidenceSettings, type EventTable } from "../types";
import { csrFromTriplets, transpose, type CsrMatrix } from "./csr";

/** Documented defaults (a shop's Setting "cf".confidence overrides any of them). */
export const DEFAULT_CONFIDENCE: ConfidenceSettings = {
  weights: {
    purchase: 10, // explicit preference: the strongest signal
    add_to_wishlist: 6, // strong signal
    add_to_cart: 4, // medium-strong
    view: 2, // only views longer than viewMinSeconds (medium signal)
    click: 1, // weak signal
    remove_from_cart: -2, // lowers what the add_to_cart raised (4 - 2 = 2 left: it was still considered)
  },
  viewMinSeconds: 30,
  shortViewWeight: 0.5,
  cancelledOrderWeight: 0,
  maxQuantity: 3,
  halfLifeDays: 90,
  scale: "linear",
  logEpsilon: 10,
};

const DAY_MS = 86_400_000;
const TYPE_PURCHASE = INTERACTION_TYPES.indexOf("purchase");
const TYPE_VIEW = INTERACTION_TYPES.indexOf("view");

/** Merges partial settings (for example a shop's JSON) over the defaults. */
export function confidenceSettings(partial?: Partial<ConfidenceSettings> | null): ConfidenceSettings {
  return {
    ...DEFAULT_CONFIDENCE,
    ...(partial ?? {}),
    weights: { ...DEFAULT_CONFIDENCE.weights, ...(partial?.weights ?? {}) },
  };
}

/** The strength one event row contributes (before summing per customer and product). */
export function eventStrength(events: EventTable, row: number, s: ConfidenceSettings, now: number): number {
  const type = events.type[row];
  let w: number;
  if (events.fromOrder[row] === 1 || type === TYPE_PURCHASE) {
    w = events.cancelled[row] === 1 ? s.cancelledOrderWeight : s.weights.purchase;
  } else if (type === TYPE_VIEW) {
    const d = events.duration[row];
    w = d > s.viewMinSeconds ? s.weights.view : s.shortViewWeight; // NaN (unknown) counts as short
  } else {
    w = s.weights[INTERACTION_TYPES[type]] ?? 0;
  }
  if (w === 0) return 0;
  const q = Math.min(Math.max(events.quantity[row] || 1, 0), s.maxQuantity);
  return w * q * decay(now - events.at[row], s.halfLifeDays);
}

/** A summed strength on the settings' scale (linear: unchanged; log: log(1 + r / logEpsilon); r <= 0 stays). */
export function scaleStrength(r: number, s: Pick<ConfidenceSettings, "scale" | "logEpsilon">): number {
  if (s.scale !== "log" || !(r > 0)) return r;
  return Math.log1p(r / (s.logEpsilon > 0 ? s.logEpsilon : 1));
}

/** 0.5^(age / halfLife); events in the future (age < 0) count fully. */
export function decay(ageMs: number, halfLifeDays: number): number {
  if (!(halfLifeDays > 0) || !Number.isFinite(halfLifeDays) || ageMs <= 0) return 1;
  return Math.pow(0.5, ageMs / (halfLifeDays * DAY_MS));
}

/**
 * The customer x product strength matrix (CSR, rows = EventTable dense customers) and its
 * transpose. Anonymous events (customer -1) and products outside 0..nItems-1 are skipped.
 */
export function buildInteractionMatrix(
  events: EventTable,
  nItems: number,
  settings: ConfidenceSettings,
  now: number,
): { users: CsrMatrix; items: CsrMatrix } {
  const n = events.length;
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const vals = new Float64Array(n);
  let m = 0;
  for (let e = 0; e < n; e++) {
    const u = events.customer[e];
    const i = events.item[e];
    if (u < 0 || i < 0 || i >= nItems) continue;
    const v = eventStrength(events, e, settings, now);
    if (v === 0) continue;
    rows[m] = u;
    cols[m] = i;
    vals[m++] = v;
  }
  const users = csrFromTriplets(events.customers.length, nItems, rows, cols, vals, m, 0);
  if (settings.scale === "log") for (let k = 0; k < users.data.length; k++) users.data[k] = scaleStrength(users.data[k], settings);
  return { users, items: transpose(users) };
}
