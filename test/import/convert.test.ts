/** `facet convert` on the real samples in ../shared, then `facet import` of the result. */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { convertHm } from "../../app/import/mappers/hm";
import { categoryFromAlias, convertRees46 } from "../../app/import/mappers/rees46";
import { ageGroup, padArticleId } from "../../app/import/mappers/hm";
import { importFolder } from "../../app/import/importFolder.server";
import { rawDb } from "../../app/db.server";
import { imageBaseDir } from "../../app/models/productImage.server";
import { useTempDatabase } from "../helpers/db";
import { describeIf, hasShared, sharedPath } from "../helpers/requires";
import { count, dumpTables, tempDir } from "./helpers";

useTempDatabase();
const out = tempDir;

it("maps categories, ages and article ids", () => {
  expect(categoryFromAlias("jewelry.earring")).toBe("earrings");
  expect(categoryFromAlias("jewelry.brooch")).toBe("brooches");
  expect(categoryFromAlias("")).toBe("uncategorized");
  expect([17, 18, 26, 45, 46].map(ageGroup)).toEqual(["", "18-25", "26-35", "36-45", "46+"]);
  expect(padArticleId("108775015")).toBe("0108775015");
});

describeIf(hasShared("data", "rees46-jewelry-sample"), "../shared/data/rees46-jewelry-sample", "REES46 jewelry sample", () => {
  const dir = sharedPath("data", "rees46-jewelry-sample");

  it("converts the headerless original, reports its malformed rows, and imports", async () => {
    const o = out();
    const r = convertRees46(path.join(dir, "jewelry_sample_raw_noheader.csv"), o);
    expect(r.rowsRead).toBe(335);
    // the 22 rows with 11 fields, the duplicate lines and the non-jewelry rows are all named by line
    expect(r.problems.filter((p) => /^jewelry_sample_raw_noheader\.csv:\d+: 11 fields/.test(p))).toHaveLength(22);
    expect(r.problems.some((p) => /:\d+: duplicate of line \d+/.test(p))).toBe(true);
    expect(r.problems.some((p) => /:\d+: category "electronics\.clocks" is not jewelry/.test(p))).toBe(true);
    const shop = "rees46.myshopify.com";
    const imp = await importFolder({ shop, dir: o });
    expect(imp.problems).toEqual([]);
    expect(count("OrderItem", shop)).toBe(r.files.find((f) => f.file === "order_items.csv")!.rows);
    // 19-digit ids intact
    expect(rawDb().prepare(`SELECT COUNT(*) FROM Product WHERE shop = ? AND id = '1842195256808833386'`).pluck().get(shop)).toBe(1);
    expect(rawDb().prepare(`SELECT category FROM Product WHERE shop = ? AND id = '1842195256808833386'`).pluck().get(shop)).toBe("earrings");
    // The import records its folder: /media serves only files inside it, relative image paths resolve against it.
    expect(imageBaseDir(shop)).toBe(path.resolve(o));
  });

  it("gives the same import from the file with a header", async () => {
    const a = out();
    const b = out();
    convertRees46(path.join(dir, "jewelry_sample_raw_noheader.csv"), a);
    convertRees46(dir, b);
    for (const f of ["products.csv", "customers.csv", "orders.csv", "order_items.csv", "interactions.csv"]) {
      expect(fs.readFileSync(path.join(b, f), "utf8")).toBe(fs.readFileSync(path.join(a, f), "utf8"));
    }
  });

  it("the raw REES46 file itself is rejected by import with file:line problems (its columns need mapping)", async () => {
    const o = out();
    fs.copyFileSync(path.join(dir, "jewelry_sample_with_header.csv"), path.join(o, "order_items.csv"));
    const r = await importFolder({ shop: "raw.myshopify.com", dir: o });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/^order_items\.csv:1: order_item_id: required column is missing/);
  });
});

describeIf(hasShared("data", "hm-sample"), "../shared/data/hm-sample", "H&M sample", () => {
  it("converts articles, customers and transactions, with photos as absolute paths, and imports twice identically", async () => {
    const src = sharedPath("data", "hm-sample");
    const o = out();
    const r = convertHm(src, o);
    expect(r.files.find((f) => f.file === "products.csv")!.rows).toBe(1000);
    const shop = "hm.myshopify.com";
    const imp = await importFolder({ shop, dir: o });
    expect(imp.problems).toEqual([]);
    const withImage = rawDb().prepare(`SELECT id, imageUrl FROM Product WHERE shop = ? AND imageUrl <> ''`).all(shop) as { id: string; imageUrl: string }[];
    expect(withImage.length).toBe(100);
    for (const p of withImage) {
      expect(p.id).toMatch(/^\d{10}$/);
      expect(fs.existsSync(p.imageUrl)).toBe(true);
    }
    expect(count("Customer", shop)).toBeGreaterThanOrEqual(4946);
    const dump = dumpTables(shop);
    await importFolder({ shop, dir: o });
    expect(dumpTables(shop)).toBe(dump);
  });
});
