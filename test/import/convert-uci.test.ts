/** `facet convert --from uci-online-retail`: a small log with every kind of dirt, then `facet import`. */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { expect, it } from "vitest";
import { convertUci, uciCustomerId } from "../../app/import/mappers/uci";
import { importFolder } from "../../app/import/importFolder.server";
import { rawDb } from "../../app/db.server";
import { useTempDatabase } from "../helpers/db";
import { describeIf, hasShared, sharedPath } from "../helpers/requires";
import { count, tempDir } from "./helpers";

useTempDatabase();

const LOG = `"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"
"536365","85123A","WHITE HANGING HEART T-LIGHT HOLDER",6,"2010-12-01 08:26:00",2.55,17850,"United Kingdom"
"536365","71053","WHITE METAL LANTERN",6,"2010-12-01 08:26:00",3.39,17850,"United Kingdom"
"536365","POST","POSTAGE",1,"2010-12-01 08:26:00",18,17850,"United Kingdom"
"536366","85123A","WHITE HANGING HEART T-LIGHT HOLDER (NEW)",2,"2010-12-02 09:00:00",2.95,12583.0,"EIRE"
"536366","22423","REGENCY CAKESTAND 3 TIER",1,"2010-12-02 09:00:00",12.75,12583.0,"EIRE"
"536366","BANK CHARGES","Bank Charges",1,"2010-12-02 09:00:00",15,12583.0,"EIRE"
"C536379","85123A","WHITE HANGING HEART T-LIGHT HOLDER",-6,"2010-12-03 10:00:00",2.55,17850,"United Kingdom"
"536380","22423","REGENCY CAKESTAND 3 TIER",4,"2010-12-03 11:00:00",12.75,NA,"United Kingdom"
"536381","71053","WHITE METAL LANTERN",-12,"2010-12-03 12:00:00",0,NA,"United Kingdom"
"536382","85123A","WHITE HANGING HEART T-LIGHT HOLDER",1,"2010-12-04 12:00:00",2.55,00042,"Unspecified"
"536383","85123A","WHITE HANGING HEART T-LIGHT HOLDER",1,"not a date",2.55,17850,"United Kingdom"
`;

it("keeps ids as strings and maps float-looking customer ids", () => {
  expect(uciCustomerId("17850.0")).toBe("17850");
  expect(uciCustomerId("00042")).toBe("00042");
  expect(uciCustomerId("NA")).toBe("");
  expect(uciCustomerId(" ")).toBe("");
});

it("leaves out cancellations, fees, guests and adjustments, reports them, and imports the rest", async () => {
  const src = tempDir();
  const file = path.join(src, "online_retail.csv.gz");
  fs.writeFileSync(file, zlib.gzipSync(LOG));
  const out = tempDir();
  const r = convertUci(src, out);
  expect(r.summary).toMatchObject({
    linesRead: 11,
    linesKept: 5,
    cancellationLines: 1,
    cancellationInvoices: 1,
    nonProductLines: 2,
    nonProductCodes: { POST: 1, "BANK CHARGES": 1 },
    noCustomer: 2,
    unreadable: 1,
  });
  expect(r.problems).toEqual([expect.stringMatching(/^online_retail\.csv\.gz:12: InvoiceDate: "not a date" is not a date/)]);
  expect(r.notes.join("\n")).toMatch(/1 lines of 1 cancellation invoices.*2 postage\/fee\/manual lines \(POST 1, BANK CHARGES 1\).*2 product lines without a CustomerID/s);
  const shop = "uci.myshopify.com";
  const imp = await importFolder({ shop, dir: out });
  expect(imp.problems).toEqual([]);
  expect(count("Product", shop)).toBe(3);
  expect(count("Customer", shop)).toBe(3);
  expect(count("Order", shop)).toBe(3);
  expect(count("OrderItem", shop)).toBe(5);
  const db = rawDb();
  const customers = db.prepare(`SELECT id, country FROM Customer WHERE shop = ? ORDER BY id`).all(shop);
  expect(customers).toEqual([
    { id: "00042", country: null },
    { id: "12583", country: "IE" },
    { id: "17850", country: "GB" },
  ]);
  // the most frequent description wins; the median unit price
  const p = db.prepare(`SELECT title, price FROM Product WHERE shop = ? AND id = '85123A'`).get(shop) as { title: string; price: number };
  expect(p.title).toBe("WHITE HANGING HEART T-LIGHT HOLDER");
  expect(p.price).toBe(2.55);
});

describeIf(hasShared("data", "uci-online-retail"), "../shared/data/uci-online-retail", "the real UCI log", () => {
  it("converts all 541,909 lines with the documented dirt accounted for", () => {
    const r = convertUci(sharedPath("data", "uci-online-retail", "online_retail.csv.gz"), tempDir());
    expect(r.summary.linesRead).toBe(541_909);
    expect(r.summary.cancellationLines).toBe(9_288);
    expect(r.summary.unreadable).toBe(0);
    const s = r.summary;
    expect(s.linesKept + s.cancellationLines + s.nonProductLines + s.noCustomer + s.nonPositiveQuantity + s.negativePrice + s.unreadable).toBe(s.linesRead);
    expect(r.files.find((f) => f.file === "customers.csv")!.rows).toBeGreaterThan(4_000);
  }, 120_000);
});
