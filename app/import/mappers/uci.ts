/**
 * UCI Online Retail (a UK gift retailer's invoice lines, 2010-12..2011-12) -> the import format.
 *
 * online_retail.csv[.gz] columns: InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
 * UnitPrice, CustomerID, Country.
 *
 * - products.csv: one product per stock code that starts with five digits (85123A, 22423); the
 *   title is the code's most frequent description; the price its median unit price over kept lines;
 *   category "gifts" (the log has no categories), brand "UCI retailer", material "unknown", no image.
 * - customers.csv: one row per CustomerID, kept as a string ("17850", also when the source writes
 *   17850.0); location_country the ISO code of Country when it is a country (EIRE -> IE, RSA -> ZA,
 *   "Unspecified" / "European Community" / "Channel Islands" -> empty); registration_date = first
 *   invoice.
 * - orders.csv: one completed order per invoice; order_items.csv: one row per kept line.
 * Left out and counted in the summary (not one problem line each: there are 100,000s):
 *   lines without a CustomerID (guest checkouts), cancellation invoices (InvoiceNo starting with C),
 *   other lines with quantity <= 0 (stock adjustments), non-product codes (POST postage, DOT, M
 *   manual, BANK CHARGES, AMAZONFEE, CRUK, D discount, gift vouchers, ...), negative prices.
 * Unreadable lines (dates, numbers, field counts) are reported as file:line problems.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { CsvParser, type CsvProblem, type CsvRecord } from "../csv";
import { CsvWriter } from "../csvWrite";
import { parseDateValue, ValueError } from "../schemas";
import { normaliseHeader } from "../validate";
import { ProblemLog, writtenFiles, type ConvertResult } from "./types";

/** Product stock codes begin with five digits; everything else is a fee, postage or adjustment. */
export const UCI_PRODUCT_CODE = /^\d{5}/;

const COUNTRIES: Record<string, string> = {
  "united kingdom": "GB", germany: "DE", france: "FR", eire: "IE", spain: "ES", netherlands: "NL",
  belgium: "BE", switzerland: "CH", portugal: "PT", australia: "AU", norway: "NO", italy: "IT",
  finland: "FI", cyprus: "CY", sweden: "SE", austria: "AT", denmark: "DK", japan: "JP", poland: "PL",
  israel: "IL", usa: "US", "hong kong": "HK", singapore: "SG", iceland: "IS", canada: "CA", greece: "GR",
  malta: "MT", "united arab emirates": "AE", rsa: "ZA", lebanon: "LB", lithuania: "LT", brazil: "BR",
  "czech republic": "CZ", bahrain: "BH", "saudi arabia": "SA",
};

export interface UciSummary {
  linesRead: number;
  linesKept: number;
  noCustomer: number;
  cancellationLines: number;
  cancellationInvoices: number;
  nonPositiveQuantity: number;
  nonProductLines: number;
  nonProductCodes: Record<string, number>;
  negativePrice: number;
  unreadable: number;
  unknownCountries: string[];
}

/** Reads the CSV (plain or gzip) in chunks and hands over parsed records. */
function readLog(file: string, onRecords: (records: CsvRecord[], problems: CsvProblem[]) => void): void {
  const raw = fs.readFileSync(file);
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  const dec = new TextDecoder("utf-8");
  const parser = new CsvParser(",");
  const CHUNK = 1 << 20;
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const records: CsvRecord[] = [];
    const problems: CsvProblem[] = [];
    parser.push(dec.decode(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)), { stream: true }), records, problems);
    onRecords(records, problems);
  }
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const tail = dec.decode();
  if (tail) parser.push(tail, records, problems);
  parser.end(records, problems);
  onRecords(records, problems);
}

/** "17850", "17850.0" -> "17850"; "NA" / empty -> "". */
export function uciCustomerId(raw: string): string {
  const v = raw.trim();
  if (!v || v.toUpperCase() === "NA") return "";
  return /^\d+\.0+$/.test(v) ? v.replace(/\.0+$/, "") : v;
}

/** A file given directly, or the UCI file inside a folder. */
function uciFile(src: string): string {
  if (!(fs.existsSync(src) && fs.statSync(src).isDirectory())) return src;
  const found = ["online_retail.csv.gz", "online_retail.csv", "Online Retail.csv"].map((n) => path.join(src, n)).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`${src} has no online_retail.csv(.gz); give the UCI Online Retail file or its folder`);
  return found;
}

const NEEDED = ["invoiceno", "stockcode", "description", "quantity", "invoicedate", "unitprice", "customerid", "country"];

/** The log read line by line: kept lines go to order_items.csv at once; products, customers and invoices are gathered for the other files. */
class UciReader {
  readonly s: UciSummary = {
    linesRead: 0, linesKept: 0, noCustomer: 0, cancellationLines: 0, cancellationInvoices: 0, nonPositiveQuantity: 0,
    nonProductLines: 0, nonProductCodes: {}, negativePrice: 0, unreadable: 0, unknownCountries: [],
  };
  readonly descriptions = new Map<string, Map<string, number>>();
  readonly prices = new Map<string, number[]>();
  readonly customers = new Map<string, { country: string; first: string }>();
  readonly orders = new Map<string, { customer: string; date: string; total: number; items: number }>();
  private readonly cancelInvoices = new Set<string>();
  private readonly unknownCountries = new Set<string>();
  private header: string[] | undefined;
  private col: Record<string, number> = {};

  constructor(private readonly name: string, private readonly log: ProblemLog, readonly items: CsvWriter) {}

  take(records: CsvRecord[], problems: CsvProblem[]): void {
    for (const p of problems) this.unreadable(p.line, `${p.message}; line left out`);
    for (const rec of records) {
      if (!this.header) this.readHeader(rec.fields);
      else this.line(rec);
    }
  }

  /** The summary once the whole log is read. */
  finish(): UciSummary {
    this.items.close();
    this.s.cancellationInvoices = this.cancelInvoices.size;
    this.s.unknownCountries = [...this.unknownCountries].sort();
    return this.s;
  }

  private unreadable(line: number, message: string): void {
    this.s.unreadable++;
    this.log.add(this.name, line, message);
  }

  private readHeader(fields: string[]): void {
    this.header = fields.map(normaliseHeader);
    this.col = Object.fromEntries(this.header.map((h, i) => [h, i]));
    const missing = NEEDED.filter((n) => this.col[n] === undefined);
    if (missing.length) throw new Error(`${this.name}: header lacks ${missing.join(", ")}; is this the UCI Online Retail log?`);
  }

  /** One invoice line: counted as left out (and why), or kept. */
  private line(rec: CsvRecord): void {
    const { s, col } = this;
    s.linesRead++;
    const f = rec.fields;
    if (f.length !== this.header!.length) return this.unreadable(rec.line, `${f.length} fields, the header has ${this.header!.length}: line left out`);
    const invoice = f[col.invoiceno].trim();
    const code = f[col.stockcode].trim();
    const customer = uciCustomerId(f[col.customerid]);
    const quantity = Number(f[col.quantity]);
    const price = Number(f[col.unitprice]);
    if (/^c/i.test(invoice)) {
      s.cancellationLines++;
      this.cancelInvoices.add(invoice);
      return;
    }
    if (!UCI_PRODUCT_CODE.test(code)) {
      s.nonProductLines++;
      s.nonProductCodes[code] = (s.nonProductCodes[code] ?? 0) + 1;
      return;
    }
    if (!customer) return void s.noCustomer++;
    if (!Number.isInteger(quantity) || !Number.isFinite(price)) {
      return this.unreadable(rec.line, `quantity ${JSON.stringify(f[col.quantity])} or price ${JSON.stringify(f[col.unitprice])} is not a number: line left out`);
    }
    if (quantity <= 0) return void s.nonPositiveQuantity++;
    if (price < 0) return void s.negativePrice++;
    const date = parseDateValue(f[col.invoicedate].trim());
    if (date instanceof ValueError) return this.unreadable(rec.line, `InvoiceDate: ${date.message}: line left out`);
    this.keep({ invoice, code, customer, quantity, price, date, description: f[col.description].trim(), country: f[col.country].trim() });
  }

  private keep(l: { invoice: string; code: string; customer: string; quantity: number; price: number; date: string; description: string; country: string }): void {
    let d = this.descriptions.get(l.code);
    if (!d) this.descriptions.set(l.code, (d = new Map()));
    if (l.description && l.description.toUpperCase() !== "NA") d.set(l.description, (d.get(l.description) ?? 0) + 1);
    let p = this.prices.get(l.code);
    if (!p) this.prices.set(l.code, (p = []));
    p.push(l.price);
    const c = this.customers.get(l.customer);
    if (!c) {
      const iso = COUNTRIES[l.country.toLowerCase()] ?? "";
      if (!iso && l.country) this.unknownCountries.add(l.country);
      this.customers.set(l.customer, { country: iso, first: l.date });
    } else if (l.date < c.first) c.first = l.date;
    let o = this.orders.get(l.invoice);
    if (!o) this.orders.set(l.invoice, (o = { customer: l.customer, date: l.date, total: 0, items: 0 }));
    o.total += l.quantity * l.price;
    o.items++;
    this.items.write({ order_item_id: `${l.invoice}-${o.items}`, order_id: l.invoice, product_id: l.code, quantity: l.quantity, unit_price: l.price });
    this.s.linesKept++;
  }
}

/** products.csv, customers.csv and orders.csv from what the reader gathered. */
function writeUciTables(out: string, r: UciReader): [CsvWriter, CsvWriter, CsvWriter] {
  const pw = new CsvWriter(path.join(out, "products.csv"), ["product_id", "title", "category", "brand", "price", "image_url", "material", "stock_status"]);
  for (const [code, d] of r.descriptions) {
    let title = "";
    let best = -1;
    for (const [t, n] of d) if (n > best || (n === best && t < title)) [title, best] = [t, n];
    const p = r.prices.get(code)!.sort((a, b) => a - b);
    pw.write({ product_id: code, title: title || `Stock code ${code}`, category: "gifts", brand: "UCI retailer", price: p[Math.floor(p.length / 2)].toFixed(2), image_url: "", material: "unknown", stock_status: "in_stock" });
  }
  pw.close();
  const cw = new CsvWriter(path.join(out, "customers.csv"), ["customer_id", "registration_date", "location_country"]);
  for (const [id, c] of r.customers) cw.write({ customer_id: id, registration_date: c.first, location_country: c.country });
  cw.close();
  const ow = new CsvWriter(path.join(out, "orders.csv"), ["order_id", "customer_id", "order_date", "order_status", "total_amount", "num_items"]);
  for (const [id, o] of r.orders) ow.write({ order_id: id, customer_id: o.customer, order_date: o.date, order_status: "completed", total_amount: o.total.toFixed(2), num_items: o.items });
  ow.close();
  return [pw, cw, ow];
}

export function convertUci(src: string, out: string): ConvertResult & { summary: UciSummary } {
  const file = uciFile(src);
  fs.mkdirSync(out, { recursive: true });
  const log = new ProblemLog();
  const reader = new UciReader(path.basename(file), log, new CsvWriter(path.join(out, "order_items.csv"), ["order_item_id", "order_id", "product_id", "quantity", "unit_price"]));
  readLog(file, (records, problems) => reader.take(records, problems));
  const s = reader.finish();
  const [pw, cw, ow] = writeUciTables(out, reader);
  const topCodes = Object.entries(s.nonProductCodes).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(", ");
  return {
    source: file,
    out,
    files: writtenFiles(pw, cw, ow, reader.items),
    rowsRead: s.linesRead,
    rowsSkipped: s.linesRead - s.linesKept,
    problems: log.lines,
    problemCount: log.count,
    notes: [
      `${s.linesKept} of ${s.linesRead} lines kept as purchases of ${pw.rows} products by ${cw.rows} customers in ${ow.rows} invoices`,
      `left out: ${s.cancellationLines} lines of ${s.cancellationInvoices} cancellation invoices (InvoiceNo C...), ${s.nonProductLines} postage/fee/manual lines (${topCodes}), ${s.noCustomer} product lines without a CustomerID (guest checkouts), ${s.nonPositiveQuantity} lines with quantity <= 0 (stock adjustments), ${s.negativePrice} with a negative price, ${s.unreadable} unreadable`,
      `ids are strings (CustomerID 17850.0 -> "17850", stock codes as written); category "gifts", material "unknown", no images (not in the source); price = median unit price`,
      ...(s.unknownCountries.length ? [`countries without an ISO code, left empty: ${s.unknownCountries.join(", ")}`] : []),
    ],
    summary: s,
  };
}
