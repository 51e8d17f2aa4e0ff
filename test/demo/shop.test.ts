/**
 * One medium demo shop, checked as a whole: the files have the seed's columns and consistent
 * references, and the world has the structure recommenders are evaluated on.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENERATOR_CATEGORY_WEIGHTS, GENERATOR_GEM_WEIGHTS, GENERATOR_METAL_MIX, MEASURED_ITEMS_PER_ORDER } from "../../app/demo/calibration";
import { generateDemoShop, type DemoShopSummary } from "../../app/demo/generate";
import { readCsv, tempDir, type Row } from "./helpers";

const root = tempDir("facet-demo-shop-");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const NOW = new Date("2026-11-01T00:00:00Z");
let summary: DemoShopSummary;
const files: Record<string, { header: string[]; rows: Row[] }> = {};

beforeAll(async () => {
  summary = await generateDemoShop({ out: root, products: 1500, customers: 3000, seed: 11, images: false, now: NOW });
  for (const f of ["products", "customers", "orders", "order_items", "interactions"]) files[f] = readCsv(path.join(root, `${f}.csv`));
});

// The columns of ../shared/SEED.md, written out here so that a change in the generator shows.
const SEED_COLUMNS = {
  products: ["product_id", "title", "description", "category", "subcategory", "brand", "collection", "price", "sale_price", "image_url", "additional_images", "material", "color", "gender", "age_group", "stone_type", "weight", "size", "stock_status", "created_date", "tags"],
  customers: ["customer_id", "email", "registration_date", "gender", "age", "age_group", "location_country", "location_state", "location_city", "postal_code", "preferred_language", "income_bracket", "customer_segment", "lifetime_value", "total_orders", "avg_order_value", "preferred_categories", "preferred_materials", "preferred_price_range", "marketing_consent", "last_active_date"],
  orders: ["order_id", "customer_id", "order_date", "order_status", "total_amount", "discount_amount", "payment_method", "shipping_method", "delivery_date", "num_items", "is_gift", "occasion"],
  order_items: ["order_item_id", "order_id", "product_id", "quantity", "unit_price", "discount_applied", "final_price"],
  interactions: ["interaction_id", "customer_id", "product_id", "interaction_type", "timestamp", "session_id", "interaction_duration", "device_type", "referrer_source"],
};

const share = <T>(xs: T[], pred: (x: T) => boolean) => xs.filter(pred).length / xs.length;
const METAL_DE: Record<string, string> = { silver: "Silber", gold: "Gold", rose_gold: "Roségold", platinum: "Platin" };

describe("demo shop files", () => {
  it("have the seed's columns in order, and the requested sizes (interactions exact)", () => {
    for (const [name, cols] of Object.entries(SEED_COLUMNS)) expect(files[name].header, name).toEqual(cols);
    expect(files.products.rows).toHaveLength(1500);
    expect(files.customers.rows).toHaveLength(3000);
    expect(files.interactions.rows).toHaveLength(90_000); // default: 30 per customer
    expect(files.orders.rows.length).toBe(summary.orders);
  });

  it("use string ids of the agreed shapes, unique, and every reference resolves", () => {
    const ids = (rows: Row[], col: string, re: RegExp) => {
      expect(rows.filter((r) => !re.test(r[col])).map((r) => r[col])).toEqual([]);
      const set = new Set(rows.map((r) => r[col]));
      expect(set.size).toBe(rows.length);
      return set;
    };
    const products = ids(files.products.rows, "product_id", /^1\d{5}$/);
    const customers = ids(files.customers.rows, "customer_id", /^C\d{6}$/);
    const orders = ids(files.orders.rows, "order_id", /^O\d{7}$/);
    ids(files.order_items.rows, "order_item_id", /^OI\d{8}$/);
    ids(files.interactions.rows, "interaction_id", /^I\d{9}$/);
    expect(files.orders.rows.filter((o) => !customers.has(o.customer_id))).toEqual([]);
    expect(files.order_items.rows.filter((i) => !orders.has(i.order_id) || !products.has(i.product_id))).toEqual([]);
    expect(files.interactions.rows.filter((i) => !customers.has(i.customer_id) || !products.has(i.product_id))).toEqual([]);
  });

  it("have values the import accepts: enums, dates, prices, hashed emails", () => {
    const p = files.products.rows;
    for (const r of p) {
      expect(["rings", "necklaces", "earrings", "bracelets", "pendants", "brooches", "charms"]).toContain(r.category);
      expect(["Silber", "Gold", "Roségold", "Platin"]).toContain(r.material);
      expect(["in_stock", "preorder", "out_of_stock"]).toContain(r.stock_status);
      expect(["female", "male", "unisex"]).toContain(r.gender);
      expect(Number(r.price)).toBeGreaterThanOrEqual(18.9);
      expect(Number(r.price)).toBeLessThan(3000);
      if (r.sale_price) expect(Number(r.sale_price)).toBeLessThan(Number(r.price));
      expect(r.created_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.created_date < "2026-11-01" && r.created_date >= "2024-11-01").toBe(true);
      expect(r.title).toContain(r.brand);
    }
    for (const c of files.customers.rows) {
      expect(c.email).toMatch(/^[0-9a-f]{64}$/);
      expect(["first-time", "regular", "vip", "inactive"]).toContain(c.customer_segment);
      expect(c.registration_date <= c.last_active_date).toBe(true);
    }
    const badInteractions = files.interactions.rows.filter(
      (i) =>
        !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(i.timestamp) ||
        i.timestamp >= "2026-11-01 00:00:00" ||
        (i.interaction_type === "view") !== /^\d+$/.test(i.interaction_duration),
    );
    expect(badInteractions).toEqual([]);
  });

  it("have orders whose totals and item counts add up, and one purchase interaction per order line", () => {
    const byOrder = new Map<string, Row[]>();
    for (const i of files.order_items.rows) byOrder.set(i.order_id, [...(byOrder.get(i.order_id) ?? []), i]);
    for (const o of files.orders.rows) {
      const items = byOrder.get(o.order_id)!;
      expect(items.length).toBeGreaterThan(0);
      expect(Number(o.total_amount)).toBeCloseTo(items.reduce((s, i) => s + Number(i.final_price), 0), 1);
      expect(Number(o.num_items)).toBe(items.reduce((s, i) => s + Number(i.quantity), 0));
    }
    expect(files.interactions.rows.filter((i) => i.interaction_type === "purchase")).toHaveLength(files.order_items.rows.length);
  });
});

describe("demo shop structure", () => {
  it("has the DACH customer mix: mostly women, DE/AT/CH about 75/15/10, consent about 60%", () => {
    const c = files.customers.rows;
    expect(share(c, (r) => r.gender === "female")).toBeGreaterThan(0.68);
    expect(share(c, (r) => r.gender === "female")).toBeLessThan(0.82);
    expect(share(c, (r) => r.location_country === "DE")).toBeGreaterThan(0.7);
    expect(share(c, (r) => r.location_country === "CH")).toBeGreaterThan(0.06);
    const consent = share(c, (r) => r.marketing_consent === "true");
    expect(consent).toBeGreaterThan(0.55);
    expect(consent).toBeLessThan(0.65);
  });

  it("follows the calibrated category, metal and gem mixes", () => {
    const p = files.products.rows;
    const norm = (t: Record<string, number>) => {
      const total = Object.values(t).reduce((a, b) => a + b, 0);
      return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v / total]));
    };
    const close = (column: string, expected: Record<string, number>, rename: (v: string) => string, tolerance: number) => {
      for (const [key, want] of Object.entries(expected)) {
        expect(share(p, (r) => rename(r[column]) === key), `${column} ${key}`).toBeGreaterThan(want - tolerance);
        expect(share(p, (r) => rename(r[column]) === key), `${column} ${key}`).toBeLessThan(want + tolerance);
      }
    };
    const metalKey = Object.fromEntries(Object.entries(METAL_DE).map(([k, v]) => [v, k]));
    close("category", norm(GENERATOR_CATEGORY_WEIGHTS), (v) => v, 0.07);
    close("material", GENERATOR_METAL_MIX, (v) => metalKey[v], 0.05);
    close("stone_type", norm(GENERATOR_GEM_WEIGHTS), (v) => v, 0.09); // silver and men's lines trade diamonds for zirconia / none
  });

  it("has new arrivals, seasonal tags, and a long tail of popularity", () => {
    const p = files.products.rows;
    const recent = share(p, (r) => r.created_date >= "2026-10-02");
    expect(recent).toBeGreaterThan(0.03);
    expect(recent).toBeLessThan(0.2);
    expect(p.some((r) => r.tags.split(",").includes("christmas"))).toBe(true);
    expect(p.some((r) => r.tags.split(",").includes("valentines"))).toBe(true);
    const views = new Map<string, number>();
    for (const i of files.interactions.rows) if (i.interaction_type === "view") views.set(i.product_id, (views.get(i.product_id) ?? 0) + 1);
    const counts = [...views.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.round(p.length / 10)).reduce((a, b) => a + b, 0);
    expect(top / counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.3); // uniform would be 0.1
  });

  it("buys matching sets together far above chance", () => {
    const product = new Map(files.products.rows.map((r) => [r.product_id, r]));
    const setOf = (id: string) => `${product.get(id)!.collection}|${product.get(id)!.material}`;
    const customerOf = new Map(files.orders.rows.map((o) => [o.order_id, o.customer_id]));
    const bought = new Map<string, Set<string>>();
    for (const i of files.order_items.rows) {
      const c = customerOf.get(i.order_id)!;
      bought.set(c, (bought.get(c) ?? new Set()).add(i.product_id));
    }
    let pairs = 0;
    let same = 0;
    for (const ps of bought.values()) {
      const list = [...ps];
      for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++) {
        pairs++;
        if (setOf(list[a]) === setOf(list[b])) same++;
      }
    }
    const sizes = new Map<string, number>();
    for (const id of product.keys()) sizes.set(setOf(id), (sizes.get(setOf(id)) ?? 0) + 1);
    const n = product.size;
    const chance = [...sizes.values()].reduce((s, k) => s + k * (k - 1), 0) / (n * (n - 1));
    expect(pairs).toBeGreaterThan(200);
    expect(same / pairs).toBeGreaterThan(20 * chance);
  });

  it("has gifts (mostly men buying), seasonal occasions, and a December peak", () => {
    const o = files.orders.rows;
    const gender = new Map(files.customers.rows.map((c) => [c.customer_id, c.gender]));
    const men = o.filter((r) => gender.get(r.customer_id) === "male");
    const women = o.filter((r) => gender.get(r.customer_id) === "female");
    expect(share(men, (r) => r.is_gift === "true")).toBeGreaterThan(0.5);
    expect(share(women, (r) => r.is_gift === "true")).toBeLessThan(0.45);
    const christmas = o.filter((r) => r.occasion === "christmas");
    expect(christmas.length).toBeGreaterThan(10);
    expect(share(christmas, (r) => ["11", "12"].includes(r.order_date.slice(5, 7)))).toBe(1);
    // orders per day: 1-23 December vs June-September (both years of the window)
    const perDay = (pred: (d: string) => boolean, days: number) => o.filter((r) => pred(r.order_date)).length / days;
    const december = perDay((d) => d.slice(5, 7) === "12" && Number(d.slice(8, 10)) <= 23, 2 * 23);
    const summer = perDay((d) => ["06", "07", "08", "09"].includes(d.slice(5, 7)), 2 * 122);
    expect(december).toBeGreaterThan(1.5 * summer);
  });

  it("has about the measured share of one-line orders (REES46 sample: 248 of 284)", () => {
    const lines = new Map<string, number>();
    for (const i of files.order_items.rows) lines.set(i.order_id, (lines.get(i.order_id) ?? 0) + 1);
    const measured = MEASURED_ITEMS_PER_ORDER[0] / MEASURED_ITEMS_PER_ORDER.reduce((a, b) => a + b, 0);
    expect(share([...lines.values()], (n) => n === 1)).toBeGreaterThan(measured - 0.1);
    expect(share([...lines.values()], (n) => n === 1)).toBeLessThan(measured + 0.08);
  });

  it("has a few percent cancelled and returned orders", () => {
    const o = files.orders.rows;
    for (const status of ["cancelled", "returned"]) {
      expect(share(o, (r) => r.order_status === status), status).toBeGreaterThan(0.005);
      expect(share(o, (r) => r.order_status === status), status).toBeLessThan(0.1);
    }
    expect(share(o, (r) => r.order_status === "completed")).toBeGreaterThan(0.8);
  });

  it("lets tastes show: customers view their stated metal far more than its catalog share, and age shifts metals", () => {
    const product = new Map(files.products.rows.map((r) => [r.product_id, r]));
    const catalogShare = new Map<string, number>();
    for (const p of files.products.rows) catalogShare.set(p.material, (catalogShare.get(p.material) ?? 0) + 1 / files.products.rows.length);
    const favourite = new Map(
      files.customers.rows.filter((c) => c.preferred_materials).map((c) => [c.customer_id, METAL_DE[c.preferred_materials.split(",")[0]]]),
    );
    let views = 0;
    let match = 0;
    let expected = 0;
    for (const i of files.interactions.rows) {
      const fav = favourite.get(i.customer_id);
      if (i.interaction_type !== "view" || !fav) continue;
      views++;
      if (product.get(i.product_id)!.material === fav) match++;
      expected += catalogShare.get(fav)!;
    }
    expect(views).toBeGreaterThan(1000);
    expect(match / expected).toBeGreaterThan(1.6);
    // gold's share of purchases: older customers above the youngest
    const age = new Map(files.customers.rows.map((c) => [c.customer_id, c.age_group]));
    const goldShare = (group: string) => {
      const rows = files.interactions.rows.filter((i) => i.interaction_type === "purchase" && age.get(i.customer_id) === group);
      return share(rows, (i) => product.get(i.product_id)!.material === "Gold");
    };
    expect(goldShare("46+")).toBeGreaterThan(goldShare("18-25") + 0.05);
  });

  it("starts newsletter sessions on new arrivals far more often than other sessions", () => {
    const launched = new Map(files.products.rows.map((r) => [r.product_id, Date.parse(r.created_date)]));
    const first = new Map<string, Row>();
    for (const i of files.interactions.rows) if (!first.has(i.session_id)) first.set(i.session_id, i);
    const isNew = (i: Row) => Date.parse(i.timestamp.slice(0, 10)) - launched.get(i.product_id)! < 30 * 86_400_000;
    const starts = [...first.values()];
    const email = starts.filter((i) => i.referrer_source === "email");
    const other = starts.filter((i) => i.referrer_source !== "email");
    expect(email.length).toBeGreaterThan(300);
    expect(share(email, isNew)).toBeGreaterThan(2 * share(other, isNew));
    // and only customers with marketing consent come from the newsletter
    const consent = new Map(files.customers.rows.map((c) => [c.customer_id, c.marketing_consent]));
    expect(email.filter((i) => consent.get(i.customer_id) !== "true")).toEqual([]);
  });

  it("has every interaction type, in sessions on one device", () => {
    const types = new Set(files.interactions.rows.map((i) => i.interaction_type));
    expect([...types].sort()).toEqual(["add_to_cart", "add_to_wishlist", "click", "purchase", "remove_from_cart", "view"]);
    const device = new Map<string, string>();
    const switched: string[] = [];
    for (const i of files.interactions.rows) {
      if ((device.get(i.session_id) ?? i.device_type) !== i.device_type) switched.push(i.session_id);
      device.set(i.session_id, i.device_type);
    }
    expect(switched).toEqual([]);
    expect(device.size).toBeGreaterThan(3000);
  });
});
