/**
 * Behaviour of the demo shop's customers: sessions of interactions, carts, orders and returns.
 *
 * THE GENERATIVE MODEL (what a recommender can learn from these files)
 * - Each customer has a hidden taste (people.ts): a favourite metal, a personal category mix, a
 *   style and a comfortable price (log-normal around their income), all shifted by age and gender.
 * - Each customer gets a share of the interaction budget proportional to a heavy-tailed activity
 *   level; their sessions fall on days drawn from the calendar's demand (growth, weekdays, the
 *   run-ups to Christmas, Valentine's Day and Mother's Day); registration shortly precedes the
 *   first session.
 * - A session has a mission: shopping for oneself (own taste) or a gift (is_gift). Gifts go to a
 *   fixed partner (men buy for women: the partner's taste is a woman's taste of the same age) or,
 *   around Mother's Day and for some birthdays, to a mother (a woman of 46+). Gift shares rise in
 *   the seasons, and seasonal pieces (tags christmas/valentines/mothers_day) are favoured then.
 * - A product is found by drawing metal and category from the mission's taste, then a product
 *   of that bucket by its long-tailed popularity, accepted with the price fit x style fit
 *   (rejection sampling); products not yet launched on that day, or made for the other gender,
 *   are never shown. So views concentrate on the taste's metal and category: visually similar.
 * - Sessions that come from the newsletter (referrer email, only customers with consent) often
 *   start on a new arrival (launched in the last 30 days) that suits the mission.
 * - Within a session the next product is a similar one (same metal and category) 35% of the time,
 *   another piece of the same matching set (collection + metal) 15%, else a fresh draw.
 * - Each product seen: a click (from a listing) at 55%, a view whose duration grows with the fit,
 *   a wishlist add and a cart add with probabilities that grow with the fit and the session's
 *   intent. At the end some cart lines are removed; a buying session orders the rest.
 * - Matching sets: buying a set piece adds another piece of its set to the same order 12% of the
 *   time, and 30% of the time plans a later "complete the look" session for a missing piece:
 *   the bought-together signal across categories.
 * - Orders: German payment mix, express shipping more likely for gifts in a season, voucher
 *   discounts only for customers with marketing consent; a few percent cancelled or returned
 *   (gifts and poor price fits are returned more often); the last days' orders are pending.
 */
import { CATEGORIES, LOCAL_HOUR_WEIGHTS, METALS, type Category } from "./calibration";
import { DAYS_IN_WINDOW, timestampText, type Calendar, type Season } from "./calendar";
import type { Catalog, DemoProduct } from "./catalog";
import { newTaste, type DemoCustomer, type Device, type Taste } from "./people";
import { CumulativeSampler, Rng } from "./random";
import { money, type CsvWriter } from "./write";

export const INTERACTION_HEADER = [
  "interaction_id", "customer_id", "product_id", "interaction_type", "timestamp", "session_id",
  "interaction_duration", "device_type", "referrer_source",
] as const;
export const ORDER_HEADER = [
  "order_id", "customer_id", "order_date", "order_status", "total_amount", "discount_amount", "payment_method",
  "shipping_method", "delivery_date", "num_items", "is_gift", "occasion",
] as const;
export const ORDER_ITEM_HEADER = ["order_item_id", "order_id", "product_id", "quantity", "unit_price", "discount_applied", "final_price"] as const;

export type InteractionType = "view" | "click" | "add_to_cart" | "remove_from_cart" | "add_to_wishlist" | "purchase";

/** What the customers file needs from the behaviour, per customer index. */
export interface CustomerStats {
  orders: Int32Array;
  lifetimeValue: Float64Array;
  /** Orders that count towards lifetime value (not cancelled, not returned). */
  paidOrders: Int32Array;
  /** Last day with an interaction, -1 when none. */
  lastActiveDay: Int32Array;
}

export interface BehaviourWriters {
  interactions: CsvWriter;
  orders: CsvWriter;
  orderItems: CsvWriter;
}

interface Mission {
  taste: Taste;
  recipient: "female" | "male";
  isGift: boolean;
  occasion: string;
  season: Season | null;
  /** A matching set to complete (a planned follow-up), or -1. */
  completeSet: number;
  intent: number;
}

interface Event {
  type: InteractionType;
  product: DemoProduct;
  second: number;
  duration: number | null;
}

/** Product lookup structures, built once per catalog. */
class ProductIndex {
  /** Per metal x category: product indexes and a popularity sampler. */
  readonly buckets: Array<{ items: number[]; sampler: CumulativeSampler }>;
  readonly seasonal: Record<Season, { items: number[]; sampler: CumulativeSampler }>;
  /** Product indexes sorted by launch day, and their launch days (for "new arrivals"). */
  readonly byLaunch: number[];
  readonly launchDays: Int32Array;

  constructor(readonly catalog: Catalog) {
    const lists: number[][] = Array.from({ length: METALS.length * CATEGORIES.length }, () => []);
    const seasonLists: Record<Season, number[]> = { christmas: [], valentines: [], mothers_day: [] };
    for (const p of catalog.products) {
      lists[bucketOf(METALS.indexOf(p.metal), CATEGORIES.indexOf(p.category))].push(p.index);
      const s = p.collection.season;
      if (s) seasonLists[s].push(p.index);
    }
    const withSampler = (items: number[]) => ({ items, sampler: new CumulativeSampler(items.map((i) => catalog.products[i].popularity)) });
    this.buckets = lists.map(withSampler);
    this.byLaunch = catalog.products.map((p) => p.index).sort((a, b) => catalog.products[a].createdDay - catalog.products[b].createdDay || a - b);
    this.launchDays = Int32Array.from(this.byLaunch, (i) => catalog.products[i].createdDay);
    this.seasonal = {
      christmas: withSampler(seasonLists.christmas),
      valentines: withSampler(seasonLists.valentines),
      mothers_day: withSampler(seasonLists.mothers_day),
    };
  }
}

/** First position in a sorted array whose value is >= x. */
function lowerBound(sorted: Int32Array, x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (sorted[m] < x) a = m + 1;
    else b = m;
  }
  return a;
}

function bucketOf(metal: number, category: number): number {
  return metal * CATEGORIES.length + category;
}

const HOURS = new CumulativeSampler(LOCAL_HOUR_WEIGHTS);
const EVENTS_PER_SESSION = 5.25; // measured mean of this model, for planning the number of sessions

/** Generates every customer's sessions, orders and interactions, streaming rows to the writers. */
export async function generateBehaviour(args: {
  catalog: Catalog;
  customers: DemoCustomer[];
  calendar: Calendar;
  interactions: number;
  seed: number;
  writers: BehaviourWriters;
  onProgress?: (customersDone: number, interactionsWritten: number) => void;
}): Promise<CustomerStats> {
  const { catalog, customers, calendar, writers } = args;
  const index = new ProductIndex(catalog);
  const demand = new CumulativeSampler(calendar.demand);
  const n = customers.length;
  const stats: CustomerStats = {
    orders: new Int32Array(n),
    lifetimeValue: new Float64Array(n),
    paidOrders: new Int32Array(n),
    lastActiveDay: new Int32Array(n).fill(-1),
  };
  const counters = { interaction: 0, session: 0, order: 0, orderItem: 0 };
  // Each customer's share of the total follows their activity. Sessions are run whole (truncating
  // them would drop late sessions and bias time); the difference carries to the next customer.
  // Whoever reaches the total is cut there, and the last customer is extended up to it, so the
  // total is exact (unless a tiny catalog has nothing left to show).
  let totalActivity = 0;
  for (const c of customers) totalActivity += c.activity;
  let cumulative = 0;
  let written = 0;
  for (const c of customers) {
    cumulative += c.activity;
    const want = Math.round((args.interactions * cumulative) / totalActivity) - written;
    const last = c.index === n - 1;
    const rng = Rng.derive(args.seed, "behaviour", c.index);
    const planned = want / EVENTS_PER_SESSION;
    const sessions = last ? Math.max(want > 0 ? 1 : 0, Math.ceil(planned)) : Math.floor(planned) + (rng.chance(planned - Math.floor(planned)) ? 1 : 0);
    if (sessions > 0 && written < args.interactions) {
      const sim = new CustomerSimulation(c, rng, index, calendar, demand, writers, counters, stats);
      // nobody goes past the total; the last customer also extends to reach it
      written += sim.run(sessions, args.interactions - written, last);
    }
    if ((c.index & 63) === 63 || c.index === n - 1) {
      await writers.interactions.maybeFlush();
      await writers.orders.maybeFlush();
      await writers.orderItems.maybeFlush();
      args.onProgress?.(c.index + 1, counters.interaction);
    }
  }
  return stats;
}

class CustomerSimulation {
  private readonly partner: Taste;
  private readonly partnerGender: "female" | "male";
  private readonly mother: Taste;
  private readonly followUps: number[] = [];
  private readonly bought = new Set<number>();

  constructor(
    private readonly c: DemoCustomer,
    private readonly rng: Rng,
    private readonly index: ProductIndex,
    private readonly calendar: Calendar,
    private readonly demand: CumulativeSampler,
    private readonly w: BehaviourWriters,
    private readonly counters: { interaction: number; session: number; order: number; orderItem: number },
    private readonly stats: CustomerStats,
  ) {
    const male = c.gender === "male";
    this.partnerGender = male ? "female" : c.gender === "female" ? (rng.chance(0.45) ? "male" : "female") : rng.pick(["female", "male"] as const);
    this.partner = newTaste(rng, this.partnerGender === "male", c.ageGroup, c.income);
    // gifts are chosen with a little more money than one spends on oneself
    this.partner.priceCentre *= 1.3;
    this.mother = newTaste(rng, false, "46+", c.income);
  }

  /** Runs `sessions` sessions, at most `cap` interactions (more sessions until `cap` if `extend`); returns interactions written. */
  run(sessions: number, cap: number, extend: boolean): number {
    const { rng, c } = this;
    // Session days follow the calendar's demand over the whole window, and registration comes
    // shortly before the first one: so the shop's daily traffic has the calendar's shape (sessions
    // drawn after a fixed registration day would pile up at the end of the window).
    const starts: number[] = [];
    for (let i = 0; i < sessions; i++) starts.push(this.sessionStart(0));
    starts.sort((a, b) => a - b);
    if (c.registrationDay >= 0) {
      const firstDay = Math.floor(starts[0] / 86_400);
      c.registrationDay = Math.max(0, firstDay - Math.floor(-20 * Math.log(1 - rng.next())));
    }
    let written = 0;
    let emptyInARow = 0;
    for (let i = 0; i < starts.length || (extend && written < cap); i++) {
      if (written >= cap) break;
      // the last customer ran out of planned sessions before the exact total: more, after the last one
      if (i >= starts.length) starts.push(this.sessionStart(Math.floor(starts[starts.length - 1] / 86_400)));
      const n = this.session(Math.floor(starts[i] / 86_400), starts[i] % 86_400, cap - written);
      written += n;
      // a tiny catalog may have nothing this customer can be shown: give up rather than loop
      emptyInARow = n ? 0 : emptyInARow + 1;
      if (emptyInARow > 200) break;
    }
    return written;
  }

  /** Seconds since the window start of a session beginning on or after firstDay. */
  private sessionStart(firstDay: number): number {
    const day = this.demand.sampleBetween(this.rng, Math.min(firstDay, DAYS_IN_WINDOW - 1), DAYS_IN_WINDOW);
    let hour = HOURS.sample(this.rng);
    if (day === DAYS_IN_WINDOW - 1) hour = Math.min(hour, 21); // stay before `now`
    return day * 86_400 + hour * 3600 + this.rng.int(3600);
  }

  /** One session; returns the number of interactions written (at most `left`). */
  private session(day: number, startSecond: number, left: number): number {
    const { rng, c } = this;
    const mission = this.mission(day);
    const device: Device = rng.chance(0.8) ? c.device : rng.pick(["mobile", "desktop", "tablet"] as const);
    const referrer = this.referrer();
    const events: Event[] = [];
    const cart: DemoProduct[] = [];
    let t = startSecond;
    let current = mission.completeSet >= 0 ? this.setPiece(mission.completeSet, day) : null;
    // newsletter visits land on new arrivals (launched in the last 30 days) that suit the mission
    if (!current && referrer === "email" && rng.chance(0.6)) current = this.newArrival(mission, day);
    current ??= this.find(mission, day);
    const products = 1 + Math.min(15, Math.floor(Math.log(1 - rng.next()) / Math.log(0.72)));
    for (let k = 0; k < products && current; k++) {
      const p: DemoProduct = current;
      const fit = this.fit(mission.taste, p);
      if (rng.chance(0.55)) {
        events.push({ type: "click", product: p, second: t, duration: null });
        t += rng.range(1, 6);
      }
      const duration = Math.min(900, Math.round(Math.exp(Math.log(12 + 40 * fit) + 0.6 * rng.normal())));
      events.push({ type: "view", product: p, second: t, duration });
      t += duration + rng.range(2, 20);
      if (rng.chance(0.03 + 0.1 * fit)) {
        events.push({ type: "add_to_wishlist", product: p, second: t, duration: null });
        t += rng.range(1, 5);
      }
      const setTarget = mission.completeSet >= 0 && p.setId === mission.completeSet;
      if (p.stock !== "out_of_stock" && !cart.includes(p) && rng.chance(setTarget ? 0.7 : mission.intent * (0.08 + 0.3 * fit) * (cart.length ? 0.4 : 1))) {
        events.push({ type: "add_to_cart", product: p, second: t, duration: null });
        cart.push(p);
        t += rng.range(2, 15);
      }
      current = this.next(mission, p, day);
    }
    let order: { items: DemoProduct[]; second: number } | null = null;
    if (cart.length) {
      for (let i = cart.length - 1; i >= 0; i--) {
        if (rng.chance(0.25)) {
          events.push({ type: "remove_from_cart", product: cart[i], second: t, duration: null });
          cart.splice(i, 1);
          t += rng.range(2, 10);
        }
      }
      if (cart.length && rng.chance(0.35 + 0.4 * mission.intent)) {
        this.addMatchingPieces(cart, day);
        t += rng.range(30, 240); // checkout
        for (const p of cart) events.push({ type: "purchase", product: p, second: t, duration: null });
        order = { items: cart, second: t };
      }
    }
    const kept = Math.min(left, events.length);
    const sessionId = `S${String(++this.counters.session).padStart(8, "0")}`;
    for (let i = 0; i < kept; i++) this.writeInteraction(events[i], day, sessionId, device, referrer);
    if (kept > 0) this.stats.lastActiveDay[c.index] = Math.max(this.stats.lastActiveDay[c.index], day + Math.floor(events[kept - 1].second / 86_400));
    // an order only exists when all its purchase events made it into the budget
    if (order && kept === events.length) this.writeOrder(order.items, mission, day, order.second, referrer);
    return kept;
  }

  private mission(day: number): Mission {
    const { rng, c } = this;
    const season = this.calendar.seasonOf[day];
    if (this.followUps.length && rng.chance(0.7)) {
      return { taste: c.taste, recipient: selfGender(c), isGift: false, occasion: "", season, completeSet: this.followUps.shift()!, intent: 1 };
    }
    const giftChance = Math.min(0.9, c.giftPropensity * (season ? 2 : 1));
    const intentBase = rng.chance(season ? 0.45 : 0.3) ? 1 : 0.25;
    if (!rng.chance(giftChance)) {
      return { taste: c.taste, recipient: selfGender(c), isGift: false, occasion: season === "christmas" && rng.chance(0.3) ? "christmas" : "", season, completeSet: -1, intent: intentBase };
    }
    const forMother = season === "mothers_day" || (season === null && rng.chance(0.15));
    const occasion = forMother
      ? season === "mothers_day" ? "mothers_day" : "birthday"
      : season ?? rng.weighted({ birthday: 0.55, anniversary: 0.25, wedding: 0.08, graduation: 0.05, other: 0.07 });
    if (forMother) return { taste: this.mother, recipient: "female", isGift: true, occasion, season, completeSet: -1, intent: Math.min(1, intentBase * 1.5) };
    return { taste: this.partner, recipient: this.partnerGender, isGift: true, occasion, season, completeSet: -1, intent: Math.min(1, intentBase * 1.5) };
  }

  /** How well a product suits a taste, 0..1: price fit x style x metal x category. */
  private fit(taste: Taste, p: DemoProduct): number {
    const z = (Math.log(p.salePrice ?? p.price) - Math.log(taste.priceCentre)) / taste.priceSigma;
    const price = Math.exp(-0.5 * z * z);
    const style = p.collection.style === taste.style ? 1 : 0.5;
    const metal = Math.min(1, 2 * taste.metal[METALS.indexOf(p.metal)]);
    const cat = Math.min(1, 4 * taste.category[CATEGORIES.indexOf(p.category)]);
    return price * style * (0.5 + 0.5 * metal) * (0.5 + 0.5 * cat);
  }

  /** A product for the mission, by taste (metal, category), popularity, price and style fit. */
  private find(mission: Mission, day: number): DemoProduct | null {
    const { rng } = this;
    const products = this.index.catalog.products;
    let fallback: DemoProduct | null = null;
    for (let tries = 0; tries < 16; tries++) {
      let p: DemoProduct;
      const seasonal = mission.season ? this.index.seasonal[mission.season] : null;
      if (seasonal && seasonal.items.length && rng.chance(0.3)) {
        p = products[seasonal.items[seasonal.sampler.sample(rng)]];
      } else {
        const b = this.index.buckets[bucketOf(rng.weightedIndex(mission.taste.metal), rng.weightedIndex(mission.taste.category))];
        if (!b.items.length) continue;
        p = products[b.items[b.sampler.sample(rng)]];
      }
      if (!this.showable(p, mission, day)) continue;
      fallback ??= p;
      if (rng.next() < this.acceptance(mission.taste, p)) return p;
    }
    return fallback;
  }

  /** A product launched in the 30 days up to `day`, accepted by the mission's fit; null if none. */
  private newArrival(mission: Mission, day: number): DemoProduct | null {
    const { byLaunch, launchDays } = this.index;
    const from = lowerBound(launchDays, day - 29);
    const to = lowerBound(launchDays, day + 1);
    if (to <= from) return null;
    for (let tries = 0; tries < 8; tries++) {
      const p = this.index.catalog.products[byLaunch[from + this.rng.int(to - from)]];
      if (this.showable(p, mission, day) && this.rng.next() < this.fit(mission.taste, p) * 2) return p;
    }
    return null;
  }

  /** Rejection-sampling acceptance: price and style fit (metal and category were drawn by taste). */
  private acceptance(taste: Taste, p: DemoProduct): number {
    const z = (Math.log(p.salePrice ?? p.price) - Math.log(taste.priceCentre)) / taste.priceSigma;
    return Math.exp(-0.5 * z * z) * (p.collection.style === taste.style ? 1 : 0.45) * (p.stock === "out_of_stock" ? 0.6 : 1);
  }

  private showable(p: DemoProduct, mission: Mission, day: number): boolean {
    if (p.createdDay > day) return false;
    if (mission.recipient === "female" && p.gender === "male") return false;
    if (mission.recipient === "male" && p.gender === "female") return false;
    return true;
  }

  /** The next product in a session: similar, same set, or a fresh draw. */
  private next(mission: Mission, p: DemoProduct, day: number): DemoProduct | null {
    const r = this.rng.next();
    if (r < 0.35) {
      const b = this.index.buckets[bucketOf(METALS.indexOf(p.metal), CATEGORIES.indexOf(p.category as Category))];
      for (let tries = 0; tries < 6; tries++) {
        const q = this.index.catalog.products[b.items[b.sampler.sample(this.rng)]];
        if (q !== p && this.showable(q, mission, day) && this.rng.next() < this.acceptance(mission.taste, q)) return q;
      }
    } else if (r < 0.5) {
      const q = this.setPiece(p.setId, day, p);
      if (q) return q;
    }
    return this.find(mission, day);
  }

  /** Another piece of a matching set, not yet bought, already launched. */
  private setPiece(setId: number, day: number, except?: DemoProduct): DemoProduct | null {
    const products = this.index.catalog.products;
    const members = this.index.catalog.sets[setId].filter((i) => products[i] !== except && !this.bought.has(i) && products[i].createdDay <= day);
    return members.length ? products[this.rng.pick(members)] : null;
  }

  /** Matching-set add-ons in the same order, and planned "complete the look" sessions. */
  private addMatchingPieces(cart: DemoProduct[], day: number): void {
    for (const p of [...cart]) {
      const set = this.index.catalog.sets[p.setId];
      if (set.length < 2) continue;
      if (this.rng.chance(0.12)) {
        const q = this.setPiece(p.setId, day, p);
        if (q && q.stock !== "out_of_stock" && !cart.includes(q)) cart.push(q);
      } else if (this.rng.chance(0.3)) {
        this.followUps.push(p.setId);
      }
    }
    for (const p of cart) this.bought.add(p.index);
  }

  private referrer(): string {
    const { rng, c } = this;
    const young = c.ageGroup === "18-25" || c.ageGroup === "26-35";
    return rng.weighted({
      google: 0.3,
      direct: 0.22,
      instagram: young ? 0.18 : 0.06,
      email: c.consent ? 0.14 : 0,
      facebook: young ? 0.03 : 0.08,
      pinterest: c.gender === "female" ? 0.06 : 0.01,
      idealo: 0.04,
    });
  }

  private writeInteraction(e: Event, day: number, sessionId: string, device: Device, referrer: string): void {
    this.w.interactions.row([
      `I${String(++this.counters.interaction).padStart(9, "0")}`,
      this.c.id,
      e.product.id,
      e.type,
      timestampText(this.calendar, day, e.second),
      sessionId,
      e.duration,
      device,
      referrer,
    ]);
  }

  private writeOrder(items: DemoProduct[], mission: Mission, day: number, second: number, referrer: string): void {
    const { rng, c, stats } = this;
    const orderId = `O${String(++this.counters.order).padStart(7, "0")}`;
    const voucher = c.consent && (referrer === "email" ? rng.chance(0.6) : rng.chance(0.08)) ? 0.1 : 0;
    let total = 0;
    let discount = 0;
    let units = 0;
    let worstFit = 1;
    for (const p of items) {
      const quantity = p.subcategory === "Partnerring" && rng.chance(0.7) ? 2 : 1;
      const unit = p.salePrice ?? p.price;
      const off = Math.round(unit * quantity * voucher * 100) / 100;
      const final = Math.round((unit * quantity - off) * 100) / 100;
      this.w.orderItems.row([`OI${String(++this.counters.orderItem).padStart(8, "0")}`, orderId, p.id, quantity, money(unit), money(off), money(final)]);
      total += final;
      discount += off;
      units += quantity;
      worstFit = Math.min(worstFit, this.fit(mission.taste, p));
    }
    const ageDays = DAYS_IN_WINDOW - 1 - day;
    const statusRoll = rng.next();
    const returnChance = 0.035 + (mission.isGift ? 0.03 : 0) + (worstFit < 0.2 ? 0.03 : 0);
    const express = rng.chance(mission.isGift && mission.season ? 0.4 : 0.15);
    const deliveryDay = day + (express ? rng.range(1, 2) : rng.range(2, 4));
    let status = ageDays < 3 && rng.chance(0.7) ? "pending" : statusRoll < 0.03 ? "cancelled" : statusRoll < 0.03 + returnChance ? "returned" : "completed";
    if (deliveryDay > DAYS_IN_WINDOW - 1 && status !== "cancelled") status = "pending"; // still on its way at `now`
    const delivered = status === "completed" || status === "returned";
    this.w.orders.row([
      orderId,
      c.id,
      timestampText(this.calendar, day, second),
      status,
      money(total),
      money(discount),
      this.payment(),
      express ? "express" : "standard",
      delivered ? this.calendar.date(Math.min(deliveryDay, DAYS_IN_WINDOW - 1)) : "",
      units,
      mission.isGift,
      mission.occasion,
    ]);
    if (status !== "cancelled") stats.orders[c.index]++;
    if (status === "completed" || status === "pending") {
      stats.paidOrders[c.index]++;
      stats.lifetimeValue[c.index] += total;
    }
  }

  private payment(): string {
    const { rng, c } = this;
    return rng.weighted({
      paypal: 0.36,
      klarna: 0.2,
      credit_card: 0.18,
      invoice: c.country === "CH" ? 0.12 : 0.1,
      bank_transfer: 0.08,
      twint: c.country === "CH" ? 0.2 : 0,
      apple_pay: 0.08,
    });
  }
}

function selfGender(c: DemoCustomer): "female" | "male" {
  return c.gender === "male" ? "male" : "female";
}
