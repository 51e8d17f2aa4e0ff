/**
 * REES46 "eCommerce purchase history from jewelry store" -> the import format.
 *
 * Source rows (with or without the header line): order_datetime, order_id, product_id, quantity,
 * category_id, category_alias, brand_id, price_usd, user_id, product_gender, main_color,
 * main_metal, main_gem. In the headerless original some rows have 11 fields (no category_alias,
 * no brand_id); they are mapped with an empty category and reported.
 *
 * Output: orders (one per order_id), order_items (one per kept row), products (distinct
 * product_ids; attributes from the latest row), customers (distinct user_ids, last_active_date =
 * last order), interactions (one purchase per order item). Ids stay strings (19 digits).
 * Left out and reported: rows with the wrong number of fields, exact duplicate lines, repeated
 * (order_id, product_id) pairs, non-jewelry categories, rows without ids or with an unreadable
 * date, quantity or price.
 */
import fs from "node:fs";
import path from "node:path";
import { readCsvSync, type CsvProblem, type CsvRecord } from "../csv";
import { CsvWriter } from "../csvWrite";
import { parseDateValue, ValueError } from "../schemas";
import { ProblemLog, writtenFiles, type ConvertResult } from "./types";

const COLUMNS = ["order_datetime", "order_id", "product_id", "quantity", "category_id", "category_alias", "brand_id", "price_usd", "user_id", "product_gender", "main_color", "main_metal", "main_gem"];
/** The 11-field rows of the original file lack category_alias and brand_id. */
const SHORT_COLUMNS = COLUMNS.filter((c) => c !== "category_alias" && c !== "brand_id");

/** jewelry.earring -> earrings (SEED.md's plural category names). */
export function categoryFromAlias(alias: string): string {
  const leaf = alias.split(".").pop() ?? "";
  if (!leaf) return "uncategorized";
  if (leaf.endsWith("s")) return leaf;
  if (leaf.endsWith("ch")) return `${leaf}es`;
  return `${leaf}s`;
}

interface Product { id: string; category: string; brand: string; price: string; gender: string; color: string; material: string; stone: string; first: string; alias: string; categoryId: string }
interface Order { id: string; customer: string; date: string; total: number; items: number; line: number }

/** The rows read one by one: kept lines go to order_items.csv and interactions.csv at once; products, customers and orders are gathered. */
class Rees46Reader {
  readonly products = new Map<string, Product>();
  readonly customers = new Map<string, string>(); // id -> last order date (ISO)
  readonly orders = new Map<string, Order>();
  rowsRead = 0;
  skipped = 0;
  shortRows = 0;
  uncategorized = 0;
  private readonly seenLines = new Map<string, number>();
  private readonly pairs = new Set<string>();
  private first = true;

  constructor(private readonly name: string, private readonly log: ProblemLog, readonly items: CsvWriter, readonly interactions: CsvWriter) {}

  take(batch: { records: CsvRecord[]; problems: CsvProblem[] }): void {
    for (const p of batch.problems) this.skip(p.line, `${p.message}; row left out`);
    for (const rec of batch.records) {
      if (this.first) {
        this.first = false;
        if (rec.fields[0].trim().toLowerCase() === "order_datetime") continue; // header line
      }
      this.rowsRead++;
      const row = this.rowOf(rec);
      if (row) this.line(rec.line, row);
    }
  }

  private skip(line: number, why: string): void {
    this.skipped++;
    this.log.add(this.name, line, why);
  }

  /** The row by column name (13 fields, or the original's 11), or null when it is left out. */
  private rowOf(rec: CsvRecord): Record<string, string> | null {
    const f = rec.fields.map((s) => s.trim());
    let row: Record<string, string>;
    if (f.length === COLUMNS.length) row = Object.fromEntries(COLUMNS.map((c, i) => [c, f[i]]));
    else if (f.length === SHORT_COLUMNS.length) {
      row = { ...Object.fromEntries(SHORT_COLUMNS.map((c, i) => [c, f[i]])), category_alias: "", brand_id: "" };
      this.shortRows++;
      this.log.add(this.name, rec.line, "11 fields instead of 13 (no category_alias, no brand_id): imported without category and brand");
    } else {
      this.skip(rec.line, `${f.length} fields, expected 13 (or 11): row left out`);
      return null;
    }
    const key = f.join(",");
    const dupOf = this.seenLines.get(key);
    if (dupOf !== undefined) {
      this.skip(rec.line, `duplicate of line ${dupOf}: row left out`);
      return null;
    }
    this.seenLines.set(key, rec.line);
    return row;
  }

  /** One row's checks (ids, category, values, repeated pairs), then kept. */
  private line(line: number, row: Record<string, string>): void {
    if (!row.order_id || !row.product_id || !row.user_id) return this.skip(line, `missing ${["order_id", "product_id", "user_id"].filter((c) => !row[c]).join(", ")}: row left out`);
    if (row.category_alias && !row.category_alias.startsWith("jewelry.")) return this.skip(line, `category ${JSON.stringify(row.category_alias)} is not jewelry: row left out`);
    const date = parseDateValue(row.order_datetime);
    const qty = /^\d+$/.test(row.quantity) ? Number(row.quantity) : NaN;
    const price = /^\d+(\.\d+)?$/.test(row.price_usd) ? Number(row.price_usd) : NaN;
    if (date instanceof ValueError || !(qty >= 1) || !(price >= 0)) {
      return this.skip(line, `unreadable ${date instanceof ValueError ? "order_datetime" : !(qty >= 1) ? "quantity" : "price_usd"}: row left out`);
    }
    const pair = `${row.order_id}\u0000${row.product_id}`;
    if (this.pairs.has(pair)) return this.skip(line, `order ${row.order_id} lists product ${row.product_id} twice: the repeat is left out`);
    this.pairs.add(pair);
    this.keep(line, row, date, qty, price);
  }

  private keep(line: number, row: Record<string, string>, date: string, qty: number, price: number): void {
    let order = this.orders.get(row.order_id);
    if (!order) this.orders.set(row.order_id, (order = { id: row.order_id, customer: row.user_id, date, total: 0, items: 0, line }));
    else if (order.customer !== row.user_id) this.log.add(this.name, line, `order ${row.order_id} has user ${row.user_id} here but ${order.customer} on line ${order.line}: kept the first`);
    order.total += price * qty;
    order.items += qty;
    const itemId = `${row.order_id}-${row.product_id}`;
    this.items.write({ order_item_id: itemId, order_id: row.order_id, product_id: row.product_id, quantity: qty, unit_price: row.price_usd, final_price: (price * qty).toFixed(2) });
    this.interactions.write({ interaction_id: itemId, customer_id: order.customer, product_id: row.product_id, interaction_type: "purchase", timestamp: date });

    const category = categoryFromAlias(row.category_alias);
    if (category === "uncategorized") this.uncategorized++;
    const prev = this.products.get(row.product_id);
    this.products.set(row.product_id, {
      id: row.product_id,
      category: category === "uncategorized" && prev ? prev.category : category,
      brand: row.brand_id ? `brand-${row.brand_id}` : prev?.brand ?? "unknown",
      price: row.price_usd,
      gender: row.product_gender === "f" ? "female" : row.product_gender === "m" ? "male" : prev?.gender ?? "",
      color: row.main_color || prev?.color || "",
      material: row.main_metal || prev?.material || "unknown",
      stone: row.main_gem || prev?.stone || "",
      first: prev && prev.first < date ? prev.first : date,
      alias: row.category_alias || prev?.alias || "",
      categoryId: row.category_id || prev?.categoryId || "",
    });
    const last = this.customers.get(order.customer);
    if (!last || last < date) this.customers.set(order.customer, date);
  }
}

/** products.csv, customers.csv and orders.csv from what the reader gathered. */
function writeRees46Tables(out: string, r: Rees46Reader): [CsvWriter, CsvWriter, CsvWriter] {
  const pw = new CsvWriter(path.join(out, "products.csv"), ["product_id", "title", "category", "subcategory", "brand", "price", "image_url", "material", "color", "gender", "stone_type", "stock_status", "created_date"]);
  for (const p of r.products.values()) {
    const kind = p.category === "uncategorized" ? "Jewelry" : p.category.replace(/s$/, "").replace(/^./, (c) => c.toUpperCase());
    const title = `${kind} ${[p.material !== "unknown" ? p.material : "", p.stone].filter(Boolean).join(" ")} #${p.id.slice(-6)}`.replace(/\s+/g, " ");
    pw.write({ product_id: p.id, title, category: p.category, subcategory: p.categoryId, brand: p.brand, price: p.price, image_url: "", material: p.material, color: p.color, gender: p.gender, stone_type: p.stone, stock_status: "in_stock", created_date: p.first });
  }
  pw.close();
  const cw = new CsvWriter(path.join(out, "customers.csv"), ["customer_id", "last_active_date"]);
  for (const [id, last] of r.customers) cw.write({ customer_id: id, last_active_date: last });
  cw.close();
  const ow = new CsvWriter(path.join(out, "orders.csv"), ["order_id", "customer_id", "order_date", "order_status", "total_amount", "num_items"]);
  for (const o of r.orders.values()) ow.write({ order_id: o.id, customer_id: o.customer, order_date: o.date, order_status: "completed", total_amount: o.total.toFixed(2), num_items: o.items });
  ow.close();
  return [pw, cw, ow];
}

export function convertRees46(src: string, out: string): ConvertResult {
  const file = fs.statSync(src).isDirectory() ? pickFile(src) : src;
  fs.mkdirSync(out, { recursive: true });
  const log = new ProblemLog();
  const r = new Rees46Reader(
    path.basename(file),
    log,
    new CsvWriter(path.join(out, "order_items.csv"), ["order_item_id", "order_id", "product_id", "quantity", "unit_price", "final_price"]),
    new CsvWriter(path.join(out, "interactions.csv"), ["interaction_id", "customer_id", "product_id", "interaction_type", "timestamp"]),
  );
  readCsvSync(file, (batch) => r.take(batch));
  r.items.close();
  r.interactions.close();
  const [pw, cw, ow] = writeRees46Tables(out, r);
  return {
    source: file,
    out,
    files: writtenFiles(pw, cw, ow, r.items, r.interactions),
    rowsRead: r.rowsRead,
    rowsSkipped: r.skipped,
    problems: log.lines,
    problemCount: log.count,
    notes: [
      "titles are made up from category, metal and gem (the source has none); brand = brand-<brand_id>; subcategory = category_id",
      "no images in the source: image_url is empty (the visual strategy needs photos or embeddings)",
      "customers have only an id and last_active_date (the last order); orders are all 'completed'; prices are USD as given",
      `${r.shortRows} row(s) with 11 fields imported without category/brand; ${r.uncategorized} row(s) without a category alias`,
    ],
  };
}

/** A folder given as source: the file with a header, else the raw headerless one. */
function pickFile(dir: string): string {
  for (const n of ["jewelry_sample_with_header.csv", "jewelry_sample_raw_noheader.csv", "jewelry.csv"]) {
    if (fs.existsSync(path.join(dir, n))) return path.join(dir, n);
  }
  const csv = fs.readdirSync(dir).filter((n) => n.endsWith(".csv"));
  if (csv.length === 1) return path.join(dir, csv[0]);
  throw new Error(`${dir} has no jewelry_sample_with_header.csv; give the REES46 CSV file itself`);
}
