/**
 * The importer against malformed inputs: each case must report the exact file:line (and column)
 * and leave the database byte-for-byte unchanged (sha256 of the SQLite file after a checkpoint).
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "../../app/import/importFolder.server";
import { writeNpy } from "../../app/import/embeddingsFormats";
import { useTempDatabase } from "../helpers/db";
import { count, dbFingerprint, folder, GOOD_CUSTOMERS, GOOD_INTERACTIONS, GOOD_ITEMS, GOOD_ORDERS, GOOD_PRODUCTS, PRODUCTS_HEADER } from "./helpers";

useTempDatabase();
const SHOP = "malformed.myshopify.com";
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ID19 = "1842195256808833386";
const ID19_NEIGHBOUR = "1842195256808833387"; // the same double as ID19: only a string compare tells them apart

function npy(rows: number[][]): Buffer {
  const dir = folder({});
  const file = `${dir}/x.npy`;
  writeNpy(file, rows.map((r) => Float32Array.from(r)), rows[0].length);
  return fs.readFileSync(file);
}

interface Case {
  name: string;
  files: Record<string, string | Buffer>;
  /** Each must appear as the start of a reported problem line (file:line: column: ...). */
  expect: string[];
}

const P = PRODUCTS_HEADER;
const CASES: Case[] = [
  { name: "missing required column", files: { "products.csv": "product_id,title,category,brand,image_url,material,stock_status\nP9,Ring,rings,Facet,,Silber,in_stock\n" }, expect: ["products.csv:1: price: required column is missing"] },
  { name: "unparsable number", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\nP10,Kette,necklaces,Facet,not-a-price,,Gold,in_stock\n` }, expect: ['products.csv:3: price: "not-a-price" is not a number'] },
  { name: "unknown enum value names the allowed ones", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,instock\n` }, expect: ['products.csv:2: stock_status: "instock" is not one of in_stock, out_of_stock, preorder'] },
  { name: "duplicate id cites the first line", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\nP8,Ring,rings,Facet,34.00,,Silber,in_stock\nP9,Ring 2,rings,Facet,35.00,,Silber,in_stock\n` }, expect: ['products.csv:4: product_id: "P9" appears again (first on line 2)'] },
  { name: "dangling product reference in order items", files: { "order_items.csv": "order_item_id,order_id,product_id,quantity,unit_price\nOI9,O1,P99,1,34.00\n" }, expect: ['order_items.csv:2: product_id: "P99" is not a known product'] },
  { name: "dangling order reference in order items", files: { "order_items.csv": "order_item_id,order_id,product_id,quantity,unit_price\nOI9,O77,P1,1,34.00\n" }, expect: ['order_items.csv:2: order_id: "O77" is not a known order'] },
  { name: "dangling customer reference in interactions", files: { "interactions.csv": "interaction_id,customer_id,product_id,interaction_type,timestamp\nX9,C1,P1,view,2024-11-05 10:23:15\nX10,C404,P1,view,2024-11-05 10:23:15\n" }, expect: ['interactions.csv:3: customer_id: "C404" is not a known customer'] },
  { name: "dangling customer reference in orders", files: { "orders.csv": "order_id,customer_id,order_date,order_status,total_amount\nO9,C404,2024-03-01,completed,10\n" }, expect: ['orders.csv:2: customer_id: "C404" is not a known customer'] },
  { name: "empty file", files: { "customers.csv": "" }, expect: ["customers.csv:1: the file is empty"] },
  { name: "header only", files: { "orders.csv": "order_id,customer_id,order_date,order_status,total_amount\n" }, expect: ["orders.csv:1: the file has a header but no rows"] },
  { name: "wrong delimiter guess: ; header, , rows", files: { "products.csv": `${P.replace(/,/g, ";")}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\n` }, expect: ["products.csv:2: the row has 1 values but the header has 8 columns"] },
  { name: "unsupported delimiter |", files: { "products.csv": `${P.replace(/,/g, "|")}\nP9|Ring|rings|Facet|34.00||Silber|in_stock\n` }, expect: ["products.csv:1: product_id: required column is missing; add it (the header has one column"] },
  { name: "Latin-1 file with a bad price", files: { "products.csv": Buffer.from(`${P.replace(/,/g, ";")}\nP9;Anh\xe4nger Silber;pendants;Facet;34,00;;Silber;in_stock\nP10;Kette;necklaces;Facet;vierzig;;Gold;in_stock\n`, "latin1") }, expect: ['products.csv:3: price: "vierzig" is not a number; write it like 34.00 or 34,00'] },
  { name: "BOM before the header, bad enum", files: { "products.csv": Buffer.concat([BOM, Buffer.from(`${P}\nP9,Ring,rings,Facet,34.00,,Silber,sold\n`)]) }, expect: ['products.csv:2: stock_status: "sold"'] },
  { name: "CRLF file with an impossible date", files: { "products.csv": `${P},created_date\r\nP9,Ring,rings,Facet,34.00,,Silber,in_stock,2024-02-30\r\n` }, expect: ['products.csv:2: created_date: "2024-02-30" is not a valid calendar date'] },
  { name: "unquoted delimiter inside a value", files: { "products.csv": `${P}\nP9,"Ring, Silber",rings,Facet,34.00,,Silber,in_stock\nP10,Ring, Gold,rings,Facet,34.00,,Gold,in_stock\n` }, expect: ["products.csv:3: the row has 9 values but the header has 8 columns"] },
  { name: "19-digit id that differs only in the last digit is not found", files: { "interactions.csv": `interaction_id,customer_id,product_id,interaction_type,timestamp\nX19,C1,${ID19_NEIGHBOUR},view,2024-11-05\n` }, expect: [`interactions.csv:2: product_id: "${ID19_NEIGHBOUR}" is not a known product`] },
  { name: "truncated last line (fields missing, no newline)", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\nP10,Kette,neck` }, expect: ["products.csv:3: the row has 3 values but the header has 8 columns"] },
  { name: "truncated last line inside a quote", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\nP10,"Kette mit` }, expect: ["products.csv:3: a quoted value is never closed"] },
  { name: "quoted newline shifts the line of a later error", files: { "products.csv": `${P},description\nP9,Ring,rings,Facet,34.00,,Silber,in_stock,"zwei\nZeilen"\nP10,Ring,rings,Facet,-1,,Silber,in_stock,x\n` }, expect: ["products.csv:4: price: -1 is below the minimum 0"] },
  { name: "whole number expected", files: { "order_items.csv": "order_item_id,order_id,product_id,quantity,unit_price\nOI9,O1,P1,1.5,34.00\n" }, expect: ['order_items.csv:2: quantity: "1.5" is not a whole number'] },
  { name: "boolean", files: { "customers.csv": "customer_id,marketing_consent\nC9,maybe\n" }, expect: ['customers.csv:2: marketing_consent: "maybe" is not true or false'] },
  { name: "country code", files: { "customers.csv": "customer_id,location_country\nC9,Germany\n" }, expect: ['customers.csv:2: location_country: "Germany" is not a two-letter country code'] },
  { name: "age out of range", files: { "customers.csv": "customer_id,age\nC9,150\n" }, expect: ["customers.csv:2: age: 150 is above the maximum 120"] },
  { name: "empty required value", files: { "products.csv": `${P}\nP9,,rings,Facet,34.00,,Silber,in_stock\n` }, expect: ["products.csv:2: title: empty, but title is required"] },
  { name: "column twice in the header", files: { "products.csv": `${P},price\nP9,Ring,rings,Facet,34.00,,Silber,in_stock,35\n` }, expect: ["products.csv:1: price: the column appears twice"] },
  { name: "unknown interaction type", files: { "interactions.csv": "interaction_id,customer_id,product_id,interaction_type,timestamp\nX9,C1,P1,purchased,2024-11-05\n" }, expect: ['interactions.csv:2: interaction_type: "purchased" is not one of view, click, add_to_cart, remove_from_cart, add_to_wishlist, purchase'] },
  { name: "unparsable timestamp", files: { "interactions.csv": "interaction_id,customer_id,product_id,interaction_type,timestamp\nX9,C1,P1,view,yesterday\n" }, expect: ['interactions.csv:2: timestamp: "yesterday" is not a date'] },
  { name: "decimal comma in a ,-separated file", files: { "products.csv": `${P}\nP9,Ring,rings,Facet,"34,00",,Silber,in_stock\n` }, expect: ['products.csv:2: price: "34,00" is not a number; write it like 34.00'] },
  {
    name: "every problem in every file is reported, good files are not written either",
    files: { "products.csv": `${P}\nP9,Ring,rings,Facet,34.00,,Silber,in_stock\nP10,Ring,rings,Facet,x,,Silber,in_stock\n`, "customers.csv": "customer_id\nC9\n", "interactions.csv": "interaction_id,customer_id,product_id,interaction_type,timestamp\nX9,C9,P9,view,2024-11-05\nX10,C9,P404,view,2024-11-05\nX11,C9,P9,hover,2024-11-05\n" },
    expect: ['products.csv:3: price: "x"', 'interactions.csv:3: product_id: "P404"', 'interactions.csv:4: interaction_type: "hover"'],
  },
  { name: "npy embeddings with a NaN", files: { "product_embeddings.npy": npy([[1, 0, 0], [0, NaN, 1]]), "product_ids.txt": "P1\nP2\n" }, expect: ["product_embeddings.npy:2: embedding: value 1 (emb_1) is NaN"] },
  { name: "npy embeddings with too few ids", files: { "product_embeddings.npy": npy([[1, 0, 0], [0, 1, 1]]), "product_ids.txt": "P1\n" }, expect: ["product_ids.txt:2: has 1 ids but product_embeddings.npy has 2 rows"] },
  { name: "embeddings of an unknown product", files: { "product_embeddings.npy": npy([[1, 0, 0], [0, 1, 1]]), "product_ids.txt": "P1\nP77\n" }, expect: ['product_ids.txt:2: product_id: "P77" is not a known product'] },
  { name: "CSV embeddings with a short row", files: { "product_embeddings.csv": "product_id,emb_0,emb_1,emb_2\nP1,0.1,0.2,0.3\nP2,0.1,0.2\n" }, expect: ["product_embeddings.csv:3: the row has 3 values but the header has 4 columns"] },
  { name: "not a NumPy file", files: { "product_embeddings.npy": "hello", "product_ids.txt": "P1\n" }, expect: ["product_embeddings.npy:1: not a NumPy .npy file"] },
  { name: "not an HDF5 file", files: { "product_embeddings.h5": "hello" }, expect: ["product_embeddings.h5:1: cannot open as HDF5"] },
  { name: "CSV embeddings with a non-number", files: { "product_embeddings.csv": "product_id,emb_0,emb_1\nP1,0.1,abc\n" }, expect: ["product_embeddings.csv:2: embedding: value 1 (emb_1) is NaN or not a number"] },
];

describe("import rejects malformed input and writes nothing", () => {
  let before = "";
  beforeAll(async () => {
    const base = await importFolder({
      shop: SHOP,
      dir: folder({ "products.csv": GOOD_PRODUCTS + `${ID19},Anhänger,pendants,Facet,19.00,,Gold,in_stock\n`, "customers.csv": GOOD_CUSTOMERS, "orders.csv": GOOD_ORDERS, "order_items.csv": GOOD_ITEMS, "interactions.csv": GOOD_INTERACTIONS }),
    });
    expect(base.problems).toEqual([]);
    expect(count("Product", SHOP)).toBe(3);
    before = dbFingerprint();
  });

  it("has at least 25 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(25));

  for (const c of CASES) {
    it(c.name, async () => {
      const r = await importFolder({ shop: SHOP, dir: folder(c.files) });
      expect(r.ok).toBe(false);
      expect(r.written).toBe(false);
      for (const e of c.expect) expect(r.problems.some((p) => p.startsWith(e)), `expected a problem starting with\n  ${e}\ngot\n  ${r.problems.join("\n  ")}`).toBe(true);
      expect(dbFingerprint()).toBe(before);
    });
  }

  it("caps the printed list and counts the rest", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `Q${i},Ring,rings,Facet,oops,,Silber,in_stock`).join("\n");
    const r = await importFolder({ shop: SHOP, dir: folder({ "products.csv": `${P}\n${rows}\n` }) });
    expect(r.problemCount).toBe(300);
    expect(r.problems).toHaveLength(201);
    expect(r.problems[0]).toMatch(/^products\.csv:2: price: /);
    expect(r.problems[200]).toMatch(/and 100 more problems/);
    expect(dbFingerprint()).toBe(before);
  });

  it("a folder without import files is an operator error", async () => {
    await expect(importFolder({ shop: SHOP, dir: folder({ "readme.txt": "hi" }) })).rejects.toThrow(/holds none of products\.csv/);
    await expect(importFolder({ shop: SHOP, dir: "/nonexistent/facet" })).rejects.toThrow(/is not a folder/);
  });
});
