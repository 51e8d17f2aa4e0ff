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

export function convertUci(src: string, out: string): ConvertResult & { summary: UciSummary } {
  let file = src;
  if (fs.existsSync(src) && fs.statSync(src).isDirectory()) {
    const found = ["online_retail.csv.gz", "online_retail.csv", "Online Retail.csv"].map((n) => path.join(src, n)).find((p) => fs.existsSync(p));
    if (!found) throw new Error(`${src} has no online_retail.csv(.gz); give the UCI Online Retail file or its folder`);
    file = found;
  }
  const name = path.basename(file);
  fs.mkdirSync(out, { recursive: true });
  const log = new ProblemLog();
  const s: UciSummary = {
    linesRead: 0, linesKept: 0, noCustomer: 0, cancellationLines: 0, cancellationInvoices: 0, nonPositiveQuantity: 0,
    nonProductLines: 0, nonProductCodes: {}, negativePrice: 0, unreadable: 0, unknownCountries: [],
  };
  const cancelInvoices = new Set<string>();
  const unknownCountries = new Set<string>();
  const descriptions = new Map<string, Map<string, number>>();
  const prices = new Map<string, number[]>();
  const customers = new Map<string, { country: string; first: string }>();
  const orders = new Map<string, { customer: string; date: string; total: number; items: number }>();
  const items = new CsvWriter(path.join(out, "order_items.csv"), ["order_item_id", "order_id", "product_id", "quantity", "unit_price"]);
  let header: string[] | undefined;
  let col: Record<string, number> = {};
  readLog(file, (records, problems) => {
    for (const p of problems) {
      s.unreadable++;
      log.add(name, p.line, `${p.message}; line left out`);
    }
    for (const rec of records) {
      if (!header) {
        header = rec.fields.map(normaliseHeader);
        col = Object.fromEntries(header.map((h, i) => [h, i]));
        const need = ["invoiceno", "stockcode", "description", "quantity", "invoicedate", "unitprice", "customerid", "country"];
        const missing = need.filter((n) => col[n] === undefined);
        if (missing.length) throw new Error(`${name}: header lacks ${missing.join(", ")}; is this the UCI Online Retail log?`);
        continue;
      }
      s.linesRead++;
      const f = rec.fields;
      if (f.length !== header.length) {
        s.unreadable++;
        log.add(name, rec.line, `${f.length} fields, the header has ${header.length}: line left out`);
        continue;
      }
      const invoice = f[col.invoiceno].trim();
      const code = f[col.stockcode].trim();
      const customer = uciCustomerId(f[col.customerid]);
      const quantity = Number(f[col.quantity]);
      const price = Number(f[col.unitprice]);
      if (/^c/i.test(invoice)) {
        s.cancellationLines++;
        cancelInvoices.add(invoice);
        continue;
      }
      if (!UCI_PRODUCT_CODE.test(code)) {
        s.nonProductLines++;
        s.nonProductCodes[code] = (s.nonProductCodes[code] ?? 0) + 1;
        continue;
      }
      if (!customer) {
        s.noCustomer++;
        continue;
      }
      if (!Number.isInteger(quantity) || !Number.isFinite(price)) {
        s.unreadable++;
        log.add(name, rec.line, `quantity ${JSON.stringify(f[col.quantity])} or price ${JSON.stringify(f[col.unitprice])} is not a number: line left out`);
        continue;
      }
      if (quantity <= 0) {
        s.nonPositiveQuantity++;
        continue;
      }
      if (price < 0) {
        s.negativePrice++;
        continue;
      }
      const date = parseDateValue(f[col.invoicedate].trim());
      if (date instanceof ValueError) {
        s.unreadable++;
        log.add(name, rec.line, `InvoiceDate: ${date.message}: line left out`);
        continue;
      }
      const desc = f[col.description].trim();
      let d = descriptions.get(code);
      if (!d) descriptions.set(code, (d = new Map()));
      if (desc && desc.toUpperCase() !== "NA") d.set(desc, (d.get(desc) ?? 0) + 1);
      let p = prices.get(code);
      if (!p) prices.set(code, (p = []));
      p.push(price);
      const countryName = f[col.country].trim();
      let c = customers.get(customer);
      if (!c) {
        const iso = COUNTRIES[countryName.toLowerCase()] ?? "";
        if (!iso && countryName) unknownCountries.add(countryName);
        customers.set(customer, (c = { country: iso, first: date }));
      } else if (date < c.first) c.first = date;
      let o = orders.get(invoice);
      if (!o) orders.set(invoice, (o = { customer, date, total: 0, items: 0 }));
      o.total += quantity * price;
      o.items++;
      items.write({ order_item_id: `${invoice}-${o.items}`, order_id: invoice, product_id: code, quantity, unit_price: price });
      s.linesKept++;
    }
  });
  items.close();
  s.cancellationInvoices = cancelInvoices.size;
  s.unknownCountries = [...unknownCountries].sort();

  const pw = new CsvWriter(path.join(out, "products.csv"), ["product_id", "title", "category", "brand", "price", "image_url", "material", "stock_status"]);
  for (const [code, d] of descriptions) {
    let title = "";
    let best = -1;
    for (const [t, n] of d) if (n > best || (n === best && t < title)) [title, best] = [t, n];
    const p = prices.get(code)!.sort((a, b) => a - b);
    pw.write({ product_id: code, title: title || `Stock code ${code}`, category: "gifts", brand: "UCI retailer", price: p[Math.floor(p.length / 2)].toFixed(2), image_url: "", material: "unknown", stock_status: "in_stock" });
  }
  pw.close();
  const cw = new CsvWriter(path.join(out, "customers.csv"), ["customer_id", "registration_date", "location_country"]);
  for (const [id, c] of customers) cw.write({ customer_id: id, registration_date: c.first, location_country: c.country });
  cw.close();
  const ow = new CsvWriter(path.join(out, "orders.csv"), ["order_id", "customer_id", "order_date", "order_status", "total_amount", "num_items"]);
  for (const [id, o] of orders) ow.write({ order_id: id, customer_id: o.customer, order_date: o.date, order_status: "completed", total_amount: o.total.toFixed(2), num_items: o.items });
  ow.close();

  const topCodes = Object.entries(s.nonProductCodes).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(", ");
  return {
    source: file,
    out,
    files: writtenFiles(pw, cw, ow, items),
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
