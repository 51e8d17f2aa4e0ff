/**
 * H&M Personalized Fashion Recommendations (sample) -> the import format.
 *
 * articles_sample.csv -> products.csv: product_id = article_id padded to 10 digits (H&M's ids
 *   have a leading zero that CSV tools drop; the photos are named <10 digits>.jpg), title =
 *   prod_name, category = product_group_name, subcategory = product_type_name, color =
 *   colour_group_name, collection = section_name, gender from index_group_name, description =
 *   detail_desc, image_url = absolute path of images/<id>.jpg when the photo is there, else empty,
 *   price = mean transaction price (H&M's normalised unit; the catalogue median when unsold).
 * customers_sample.csv -> customers.csv: age, age_group (18-25 / 26-35 / 36-45 / 46+, empty
 *   under 18), postal_code, marketing_consent (fashion news), segment inactive for LEFT CLUB.
 * transactions_sample.csv -> orders.csv (one order per customer and day), order_items.csv and
 *   purchase interactions. Transactions of articles outside the sample are left out and reported;
 *   buyers missing from customers_sample are added with their id only.
 */
import fs from "node:fs";
import path from "node:path";
import { readCsvSync } from "../csv";
import { CsvWriter } from "../csvWrite";
import { parseDateValue, ValueError } from "../schemas";
import { normaliseHeader } from "../validate";
import { ProblemLog, writtenFiles, type ConvertResult } from "./types";

type Row = Record<string, string>;

/** Reads a CSV with a header as objects; rows with the wrong width are reported and skipped. */
function readRows(file: string, log: ProblemLog, onRow: (row: Row, line: number) => void): number {
  const name = path.basename(file);
  let header: string[] | undefined;
  let n = 0;
  readCsvSync(file, (batch) => {
    for (const p of batch.problems) log.add(name, p.line, `${p.message}; row left out`);
    for (const rec of batch.records) {
      if (!header) {
        header = rec.fields.map(normaliseHeader);
        continue;
      }
      n++;
      if (rec.fields.length !== header.length) {
        log.add(name, rec.line, `${rec.fields.length} fields, the header has ${header.length}: row left out`);
        continue;
      }
      const row: Row = {};
      header.forEach((h, i) => (row[h] = rec.fields[i].trim()));
      onRow(row, rec.line);
    }
  });
  return n;
}

export function padArticleId(id: string): string {
  return /^\d+$/.test(id) ? id.padStart(10, "0") : id;
}

export function ageGroup(age: number): string {
  if (!Number.isFinite(age) || age < 18) return "";
  if (age <= 25) return "18-25";
  if (age <= 35) return "26-35";
  if (age <= 45) return "36-45";
  return "46+";
}

function genderOf(indexGroup: string): string {
  const g = indexGroup.toLowerCase();
  if (g.includes("ladies")) return "female";
  if (g.includes("men")) return "male";
  return "unisex";
}

type Sales = { priceSum: Map<string, { sum: number; n: number }>; orders: Map<string, { id: string; customer: string; date: string; total: number; items: number }>; buyers: Set<string>; skipped: number; rows: number };

/** transactions_sample.csv -> order_items.csv and purchase interactions (written at once); prices per article, orders and buyers gathered. */
function readTransactions(file: string, out: string, articles: Map<string, Row>, log: ProblemLog): Sales & { items: CsvWriter; interactions: CsvWriter } {
  const sales: Sales = { priceSum: new Map(), orders: new Map(), buyers: new Set(), skipped: 0, rows: 0 };
  const items = new CsvWriter(path.join(out, "order_items.csv"), ["order_item_id", "order_id", "product_id", "quantity", "unit_price"]);
  const interactions = new CsvWriter(path.join(out, "interactions.csv"), ["interaction_id", "customer_id", "product_id", "interaction_type", "timestamp"]);
  sales.rows = readRows(file, log, (r, line) => {
    const article = padArticleId(r.article_id ?? "");
    const date = parseDateValue(r.t_dat ?? "");
    const price = Number(r.price);
    if (!articles.has(article)) {
      sales.skipped++;
      return log.add("transactions_sample.csv", line, `article ${article} is not in articles_sample.csv: left out`);
    }
    if (!r.customer_id || date instanceof ValueError || !Number.isFinite(price) || price < 0) {
      sales.skipped++;
      return log.add("transactions_sample.csv", line, "missing customer_id or unreadable t_dat/price: left out");
    }
    const orderId = `${r.t_dat}-${r.customer_id.slice(0, 16)}`;
    let o = sales.orders.get(orderId);
    if (!o) sales.orders.set(orderId, (o = { id: orderId, customer: r.customer_id, date, total: 0, items: 0 }));
    o.total += price;
    o.items++;
    const itemId = `${orderId}-${o.items}`;
    items.write({ order_item_id: itemId, order_id: orderId, product_id: article, quantity: 1, unit_price: r.price });
    interactions.write({ interaction_id: itemId, customer_id: r.customer_id, product_id: article, interaction_type: "purchase", timestamp: date });
    const sum = sales.priceSum.get(article) ?? { sum: 0, n: 0 };
    sum.sum += price;
    sum.n++;
    sales.priceSum.set(article, sum);
    sales.buyers.add(r.customer_id);
  });
  items.close();
  interactions.close();
  return { ...sales, items, interactions };
}

/** products.csv: one row per article, the mean sold price (the catalogue median when unsold), the photo's absolute path when it is there. */
function writeProducts(src: string, out: string, articles: Map<string, Row>, priceSum: Sales["priceSum"]): { pw: CsvWriter; withImage: number } {
  const means = [...priceSum.values()].map((s) => s.sum / s.n).sort((a, b) => a - b);
  const median = means.length ? means[Math.floor(means.length / 2)] : 0;
  const imagesDir = path.resolve(src, "images");
  const pw = new CsvWriter(path.join(out, "products.csv"), ["product_id", "title", "description", "category", "subcategory", "brand", "collection", "price", "image_url", "material", "color", "gender", "age_group", "stock_status"]);
  let withImage = 0;
  for (const [id, a] of articles) {
    const s = priceSum.get(id);
    const image = path.join(imagesDir, `${id}.jpg`);
    const hasImage = fs.existsSync(image);
    if (hasImage) withImage++;
    const group = (a.index_group_name ?? "").toLowerCase();
    pw.write({
      product_id: id,
      title: a.prod_name || `Article ${id}`,
      description: a.detail_desc,
      category: a.product_group_name || "unknown",
      subcategory: a.product_type_name,
      brand: "H&M",
      collection: a.section_name,
      price: (s ? s.sum / s.n : median).toFixed(6),
      image_url: hasImage ? image : "",
      material: "unknown",
      color: a.colour_group_name,
      gender: genderOf(a.index_group_name ?? ""),
      age_group: group.includes("baby") || group.includes("child") ? "child" : "adult",
      stock_status: "in_stock",
    });
  }
  pw.close();
  return { pw, withImage };
}

/** customers.csv from customers_sample.csv, plus buyers missing there (id only). */
function writeCustomers(file: string, out: string, buyers: Set<string>, log: ProblemLog): { cw: CsvWriter; rows: number; added: number } {
  const cw = new CsvWriter(path.join(out, "customers.csv"), ["customer_id", "age", "age_group", "postal_code", "marketing_consent", "customer_segment"]);
  const written = new Set<string>();
  const rows = readRows(file, log, (r, line) => {
    if (!r.customer_id || written.has(r.customer_id)) return log.add("customers_sample.csv", line, r.customer_id ? "customer appears again: left out" : "no customer_id: left out");
    written.add(r.customer_id);
    const age = /^\d+$/.test(r.age ?? "") ? Number(r.age) : NaN;
    const news = (r.fashion_news_frequency ?? "").toLowerCase();
    cw.write({
      customer_id: r.customer_id,
      age: Number.isFinite(age) && age <= 120 ? age : "",
      age_group: ageGroup(age),
      postal_code: r.postal_code,
      marketing_consent: r.fn === "1" || news === "regularly" || news === "monthly" ? "true" : "false",
      customer_segment: (r.club_member_status ?? "").toUpperCase() === "LEFT CLUB" ? "inactive" : "",
    });
  });
  let added = 0;
  for (const b of buyers) {
    if (written.has(b)) continue;
    cw.write({ customer_id: b });
    added++;
  }
  cw.close();
  return { cw, rows, added };
}

export function convertHm(src: string, out: string): ConvertResult {
  const need = ["articles_sample.csv", "customers_sample.csv", "transactions_sample.csv"];
  const missing = need.filter((n) => !fs.existsSync(path.join(src, n)));
  if (missing.length) throw new Error(`${src} lacks ${missing.join(", ")}; give the H&M sample folder`);
  fs.mkdirSync(out, { recursive: true });
  const log = new ProblemLog();
  const articles = new Map<string, Row>();
  const articleRows = readRows(path.join(src, "articles_sample.csv"), log, (r, line) => {
    const id = padArticleId(r.article_id ?? "");
    if (!id) return log.add("articles_sample.csv", line, "no article_id: row left out");
    if (articles.has(id)) return log.add("articles_sample.csv", line, `article ${id} appears again: the repeat is left out`);
    articles.set(id, r);
  });
  const sales = readTransactions(path.join(src, "transactions_sample.csv"), out, articles, log);
  const { pw, withImage } = writeProducts(src, out, articles, sales.priceSum);
  const { cw, rows: customerRows, added } = writeCustomers(path.join(src, "customers_sample.csv"), out, sales.buyers, log);
  const ow = new CsvWriter(path.join(out, "orders.csv"), ["order_id", "customer_id", "order_date", "order_status", "total_amount", "num_items"]);
  for (const o of sales.orders.values()) ow.write({ order_id: o.id, customer_id: o.customer, order_date: o.date, order_status: "completed", total_amount: o.total.toFixed(6), num_items: o.items });
  ow.close();

  return {
    source: src,
    out,
    files: writtenFiles(pw, cw, ow, sales.items, sales.interactions),
    rowsRead: articleRows + sales.rows + customerRows,
    rowsSkipped: sales.skipped,
    problems: log.lines,
    problemCount: log.count,
    notes: [
      "product_id = article_id padded to 10 digits (the photo names); prices are H&M's normalised unit (mean of transactions, catalogue median when unsold)",
      `${withImage} of ${articles.size} products have a photo in images/ (absolute paths); material is 'unknown' (not in the source)`,
      `orders = one per customer and day; ${added} buyer(s) missing from customers_sample.csv were added with their id only`,
    ],
  };
}
