/**
 * The demo jewelry shop generator's entry point: writes the seed's CSV files (products, customers,
 * orders, order_items, interactions) and one PNG per product into a folder, deterministically for
 * a seed and a `now` (same inputs -> byte-identical files).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { topCategories, buildCustomers, type DemoCustomer } from "./people";
import { buildCatalog, METAL_COLOUR, METAL_DE, type Catalog } from "./catalog";
import { Calendar, DAYS_IN_WINDOW } from "./calendar";
import { generateBehaviour, INTERACTION_HEADER, ORDER_HEADER, ORDER_ITEM_HEADER, type CustomerStats } from "./behaviour";
import { imageRelativePath, renderProductImages } from "./images";
import { CsvWriter, money } from "./write";
import { METALS } from "./calibration";

/** The reproducible default "now" of the demo shop. */
export const DEFAULT_DEMO_NOW = new Date("2026-11-01T00:00:00Z");
/** Interactions per customer when no total is given. */
export const DEFAULT_INTERACTIONS_PER_CUSTOMER = 30;

export interface DemoShopOptions {
  /** Folder to write into (created if missing; existing files of the same names are replaced). */
  out: string;
  products: number;
  customers: number;
  /** Total interactions (exact); default DEFAULT_INTERACTIONS_PER_CUSTOMER x customers. */
  interactions?: number;
  seed: number;
  /** Render a PNG per product into <out>/images (false for benchmarks). */
  images: boolean;
  /** The shop's present: the two-year history ends the day before. Default DEFAULT_DEMO_NOW. */
  now?: Date;
  /** Images rendered at once (default 4). */
  imageConcurrency?: number;
  onProgress?: (p: DemoProgress) => void;
}

export interface DemoProgress {
  stage: "catalog" | "customers" | "behaviour" | "images";
  done: number;
  total: number;
}

export interface DemoShopSummary {
  out: string;
  seed: number;
  now: string;
  files: string[];
  products: number;
  collections: number;
  matchingSets: number;
  customers: number;
  orders: number;
  orderItems: number;
  interactions: number;
  images: { rendered: number; reused: number } | null;
}

export const PRODUCT_HEADER = [
  "product_id", "title", "description", "category", "subcategory", "brand", "collection", "price", "sale_price",
  "image_url", "additional_images", "material", "color", "gender", "age_group", "stone_type", "weight", "size",
  "stock_status", "created_date", "tags",
] as const;

export const CUSTOMER_HEADER = [
  "customer_id", "email", "registration_date", "gender", "age", "age_group", "location_country", "location_state",
  "location_city", "postal_code", "preferred_language", "income_bracket", "customer_segment", "lifetime_value",
  "total_orders", "avg_order_value", "preferred_categories", "preferred_materials", "preferred_price_range",
  "marketing_consent", "last_active_date",
] as const;

export async function generateDemoShop(opts: DemoShopOptions): Promise<DemoShopSummary> {
  for (const [name, v] of [["products", opts.products], ["customers", opts.customers]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`generateDemoShop: ${name} must be a positive integer (got ${v})`);
  }
  const interactions = opts.interactions ?? DEFAULT_INTERACTIONS_PER_CUSTOMER * opts.customers;
  if (!Number.isInteger(interactions) || interactions < 0) throw new Error(`generateDemoShop: interactions must be an integer >= 0 (got ${interactions})`);
  const now = opts.now ?? DEFAULT_DEMO_NOW;
  const seed = opts.seed >>> 0;
  const progress = opts.onProgress ?? (() => {});
  await fs.mkdir(opts.out, { recursive: true });
  const calendar = new Calendar(now);

  progress({ stage: "catalog", done: 0, total: opts.products });
  const catalog = buildCatalog(opts.products, seed, calendar);
  await writeProducts(catalog, calendar, path.join(opts.out, "products.csv"));
  progress({ stage: "catalog", done: opts.products, total: opts.products });

  progress({ stage: "customers", done: 0, total: opts.customers });
  const customers = buildCustomers(opts.customers, seed);
  progress({ stage: "customers", done: opts.customers, total: opts.customers });

  const writers = {
    interactions: new CsvWriter(path.join(opts.out, "interactions.csv"), INTERACTION_HEADER),
    orders: new CsvWriter(path.join(opts.out, "orders.csv"), ORDER_HEADER),
    orderItems: new CsvWriter(path.join(opts.out, "order_items.csv"), ORDER_ITEM_HEADER),
  };
  const stats = await generateBehaviour({
    catalog,
    customers,
    calendar,
    interactions,
    seed,
    writers,
    onProgress: (_c, written) => progress({ stage: "behaviour", done: written, total: interactions }),
  });
  await Promise.all([writers.interactions.close(), writers.orders.close(), writers.orderItems.close()]);
  await writeCustomers(customers, stats, calendar, path.join(opts.out, "customers.csv"));

  let images: DemoShopSummary["images"] = null;
  if (opts.images) {
    images = await renderProductImages(catalog.products, opts.out, seed, {
      concurrency: opts.imageConcurrency,
      onProgress: (done) => progress({ stage: "images", done, total: catalog.products.length }),
    });
  }
  const files = ["products.csv", "customers.csv", "orders.csv", "order_items.csv", "interactions.csv"];
  if (opts.images) files.push("images/");
  return {
    out: opts.out,
    seed,
    now: now.toISOString(),
    files,
    products: catalog.products.length,
    collections: catalog.collections.length,
    matchingSets: catalog.sets.filter((s) => s.length > 1).length,
    customers: customers.length,
    orders: writers.orders.rows,
    orderItems: writers.orderItems.rows,
    interactions: writers.interactions.rows,
    images,
  };
}

async function writeProducts(catalog: Catalog, calendar: Calendar, file: string): Promise<void> {
  const w = new CsvWriter(file, PRODUCT_HEADER);
  for (const p of catalog.products) {
    w.row([
      p.id,
      p.title,
      p.description,
      p.category,
      p.subcategory,
      p.brand,
      p.collection.name,
      money(p.price),
      p.salePrice === null ? "" : money(p.salePrice),
      imageRelativePath(p),
      "",
      METAL_DE[p.metal],
      METAL_COLOUR[p.metal],
      p.gender,
      p.ageGroup,
      p.gem,
      p.weight,
      p.size,
      p.stock,
      calendar.date(p.createdDay),
      p.tags.join(","),
    ]);
    await w.maybeFlush();
  }
  await w.close();
}

async function writeCustomers(customers: DemoCustomer[], stats: CustomerStats, calendar: Calendar, file: string): Promise<void> {
  const w = new CsvWriter(file, CUSTOMER_HEADER);
  for (const c of customers) {
    const i = c.index;
    const lastActive = stats.lastActiveDay[i] >= 0 ? stats.lastActiveDay[i] : c.registrationDay;
    const ltv = stats.lifetimeValue[i];
    const paid = stats.paidOrders[i];
    const orders = stats.orders[i];
    const segment =
      DAYS_IN_WINDOW - lastActive > 180 ? "inactive" : orders >= 5 || ltv >= 1500 ? "vip" : orders >= 2 ? "regular" : "first-time";
    const quiz = c.answeredQuiz;
    const secondMetal = METALS.filter((m) => m !== c.taste.favouriteMetal).sort((a, b) => c.taste.metal[METALS.indexOf(b)] - c.taste.metal[METALS.indexOf(a)])[0];
    w.row([
      c.id,
      c.email,
      calendar.date(c.registrationDay),
      c.gender,
      c.age,
      c.ageGroup,
      c.country,
      c.state,
      c.city,
      c.postalCode,
      c.language,
      c.income,
      segment,
      money(ltv),
      orders,
      money(paid ? ltv / paid : 0),
      quiz ? topCategories(c.taste).join(",") : "",
      quiz ? [c.taste.favouriteMetal, secondMetal].join(",") : "",
      quiz ? c.taste.priceBand : "",
      c.consent,
      calendar.date(lastActive),
    ]);
    await w.maybeFlush();
  }
  await w.close();
}
