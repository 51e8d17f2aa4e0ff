/** The importer's good paths: a full folder, idempotent re-import, encodings, ids, references, embeddings, jobs. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importFolder } from "../../app/import/importFolder.server";
import { writeNpy } from "../../app/import/embeddingsFormats";
import { rawDb } from "../../app/db.server";
import { loadEmbeddings } from "../../app/models/embedding.server";
import importJob from "../../app/jobs/import.server";
import { BadJobInput } from "../../app/queues/jobs";
import { useTempDatabase } from "../helpers/db";
import { count, dbFingerprint, dumpTables, folder, GOOD_CUSTOMERS, GOOD_INTERACTIONS, GOOD_ITEMS, GOOD_ORDERS, GOOD_PRODUCTS } from "./helpers";

useTempDatabase();

const ALL = { "products.csv": GOOD_PRODUCTS, "customers.csv": GOOD_CUSTOMERS, "orders.csv": GOOD_ORDERS, "order_items.csv": GOOD_ITEMS, "interactions.csv": GOOD_INTERACTIONS };

function row(sql: string, ...args: unknown[]): Record<string, unknown> {
  return rawDb().prepare(sql).get(...args) as Record<string, unknown>;
}

describe("import: good paths", () => {
  it("imports a full folder, creates the shop row, and a re-import changes nothing", async () => {
    const shop = "good.myshopify.com";
    const dir = folder(ALL);
    const before = dbFingerprint();
    const r = await importFolder({ shop, dir });
    expect(r.problems).toEqual([]);
    expect(r.written).toBe(true);
    expect(dbFingerprint()).not.toBe(before); // the fingerprint the malformed tests rely on does see writes
    expect([count("Product", shop), count("Customer", shop), count("Order", shop), count("OrderItem", shop), count("Interaction", shop)]).toEqual([2, 2, 1, 1, 2]);
    expect(row(`SELECT id FROM Shop WHERE id = ?`, shop)).toEqual({ id: shop });
    const p1 = row(`SELECT * FROM Product WHERE shop = ? AND id = 'P1'`, shop);
    expect(p1).toMatchObject({ title: "Ring", price: 34, stockStatus: "in_stock", imageUrl: path.join(dir, "img/1.png") });
    expect(row(`SELECT imageUrl FROM Product WHERE shop = ? AND id = 'P2'`, shop)).toEqual({ imageUrl: "https://x.test/2.jpg" });
    expect(row(`SELECT * FROM Customer WHERE shop = ? AND id = 'C1'`, shop)).toMatchObject({ gender: "female", age: 32, country: "DE", registrationDate: "2023-06-15T00:00:00.000Z" });
    expect(row(`SELECT * FROM Interaction WHERE shop = ? AND id = 'X1'`, shop)).toMatchObject({ customerId: "C1", productId: "P1", type: "view", timestamp: "2024-11-05T10:23:15.000Z" });

    const dump = dumpTables(shop);
    const print = dbFingerprint();
    const again = await importFolder({ shop, dir });
    expect(again.ok).toBe(true);
    expect(dumpTables(shop)).toBe(dump);
    expect(dbFingerprint()).toBe(print);
  });

  it("a changed row is updated in place (upsert), columns absent from the file are kept", async () => {
    const shop = "upsert.myshopify.com";
    await importFolder({ shop, dir: folder({ "products.csv": GOOD_PRODUCTS.replace("img/1.png", "https://x.test/1.jpg") + "" }) });
    await importFolder({ shop, dir: folder({ "products.csv": "product_id,title,category,brand,price,image_url,material,stock_status,color\nP1,Ring neu,rings,Facet,36.00,https://x.test/1.jpg,Silber,in_stock,rose\n" }) });
    expect(count("Product", shop)).toBe(2);
    expect(row(`SELECT title, price, color FROM Product WHERE shop = ? AND id = 'P1'`, shop)).toEqual({ title: "Ring neu", price: 36, color: "rose" });
    await importFolder({ shop, dir: folder({ "products.csv": "product_id,title,category,brand,price,image_url,material,stock_status\nP1,Ring neu,rings,Facet,36.00,https://x.test/1.jpg,Silber,in_stock\n" }) });
    expect(row(`SELECT color FROM Product WHERE shop = ? AND id = 'P1'`, shop)).toEqual({ color: "rose" });
  });

  it("keeps 19-digit ids exact (they do not survive JS numbers)", async () => {
    const shop = "ids.myshopify.com";
    const a = "1842195256808833386";
    const b = "1842195256808833387"; // Number(a) === Number(b)
    const r = await importFolder({
      shop,
      dir: folder({
        "products.csv": `product_id,title,category,brand,price,image_url,material,stock_status\n${a},A,rings,F,1,,Gold,in_stock\n${b},B,rings,F,2,,Gold,in_stock\n`,
        "customers.csv": "customer_id\n1515915625207851155\n",
        "interactions.csv": `interaction_id,customer_id,product_id,interaction_type,timestamp\n1924719191579951782,1515915625207851155,${b},purchase,2018-12-01 11:40:29 UTC\n`,
      }),
    });
    expect(r.problems).toEqual([]);
    expect(rawDb().prepare(`SELECT id FROM Product WHERE shop = ? ORDER BY id`).pluck().all(shop)).toEqual([a, b]);
    expect(row(`SELECT id, customerId, productId FROM Interaction WHERE shop = ?`, shop)).toEqual({ id: "1924719191579951782", customerId: "1515915625207851155", productId: b });
  });

  it("reads a ;-separated Latin-1 Excel export with decimal commas, German dates, CRLF and umlauts", async () => {
    const shop = "excel.myshopify.com";
    // Excel pads rows with empty cells past the last column (;;): accepted.
    const csv = "product_id;title;category;brand;price;sale_price;image_url;material;stock_status;created_date\r\nA1;Anh\xe4nger Herz;pendants;Gr\xfcn;1.234,50;29,9;;Wei\xdfgold;in_stock;15.01.2024;;\r\n;;;;;;;;;;;;\r\n";
    const r = await importFolder({ shop, dir: folder({ "products.csv": Buffer.from(csv, "latin1") }) });
    expect(r.problems).toEqual([]);
    expect(r.files[0]).toMatchObject({ encoding: "windows-1252", delimiter: ";" });
    expect(row(`SELECT title, brand, material, price, salePrice, createdDate FROM Product WHERE shop = ?`, shop)).toEqual({
      title: "Anhänger Herz", brand: "Grün", material: "Weißgold", price: 1234.5, salePrice: 29.9, createdDate: "2024-01-15T00:00:00.000Z",
    });
  });

  it("reads UTF-8 with a BOM, tab-separated, quoted values with delimiters and newlines", async () => {
    const shop = "bom.myshopify.com";
    const tsv = "\ufeffproduct_id\ttitle\tdescription\tcategory\tbrand\tprice\timage_url\tmaterial\tstock_status\nT1\t\"Ring\tgroß\"\t\"zwei\nZeilen\"\trings\tF\t5\t\tGold\tIN_STOCK\n";
    const r = await importFolder({ shop, dir: folder({ "products.csv": tsv }) });
    expect(r.problems).toEqual([]);
    expect(row(`SELECT id, title, description, stockStatus FROM Product WHERE shop = ?`, shop)).toEqual({ id: "T1", title: "Ring\tgroß", description: "zwei\nZeilen", stockStatus: "in_stock" });
  });

  it("lets later imports reference products and customers imported earlier", async () => {
    const shop = "later.myshopify.com";
    expect((await importFolder({ shop, dir: folder({ "products.csv": GOOD_PRODUCTS, "customers.csv": GOOD_CUSTOMERS }) })).ok).toBe(true);
    const r = await importFolder({ shop, dir: folder({ "interactions.csv": GOOD_INTERACTIONS }) });
    expect(r.problems).toEqual([]);
    expect(count("Interaction", shop)).toBe(2);
    // ... but not those of another shop
    const other = await importFolder({ shop: "other.myshopify.com", dir: folder({ "interactions.csv": GOOD_INTERACTIONS }) });
    expect(other.problems[0]).toMatch(/^interactions\.csv:2: customer_id: "C1" is not a known customer/);
  });

  it("--dry-run checks and writes nothing", async () => {
    const before = dbFingerprint();
    const r = await importFolder({ shop: "dry.myshopify.com", dir: folder(ALL), dryRun: true });
    expect(r).toMatchObject({ ok: true, written: false });
    expect(dbFingerprint()).toBe(before);
  });
});

describe("import: precomputed embeddings", () => {
  const shop = "emb.myshopify.com";
  const vectors = [[3, 4, 0, 0], [0, 0, 1, 0]];

  function expectStored(modelId: string) {
    const got = loadEmbeddings(shop, modelId);
    expect([...got.keys()].sort()).toEqual(["P1", "P2"]);
    expect(Array.from(got.get("P1")!.vector)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0, 0]);
  }

  it("NumPy .npy + product_ids.txt (model imported-<dim>d)", async () => {
    const dir = folder({ "products.csv": GOOD_PRODUCTS, "product_ids.txt": "P1\r\nP2\r\n" });
    writeNpy(path.join(dir, "product_embeddings.npy"), vectors.map((v) => Float32Array.from(v)), 4);
    const r = await importFolder({ shop, dir });
    expect(r.problems).toEqual([]);
    expect(r.embeddings).toEqual({ file: "product_embeddings.npy", modelId: "imported-4d", dim: 4, count: 2 });
    expectStored("imported-4d");
  });

  it("CSV product_id,emb_0..emb_N with an embedding_model column", async () => {
    const csv = "product_id,embedding_model,emb_0,emb_1,emb_2,emb_3\nP1,mobilenet_v2_collection_v1,3,4,0,0\nP2,mobilenet_v2_collection_v1,0,0,1,0\n";
    const r = await importFolder({ shop, dir: folder({ "product_embeddings.csv": csv }) });
    expect(r.problems).toEqual([]);
    expect(r.embeddings?.modelId).toBe("mobilenet_v2_collection_v1");
    expectStored("mobilenet_v2_collection_v1");
  });

  it("HDF5 with embeddings, product_ids and an embedding_model attribute", async () => {
    const h5wasm = (await import("h5wasm/node")).default;
    await h5wasm.ready;
    const dir = folder({});
    const f = new h5wasm.File(path.join(dir, "product_embeddings.h5"), "w");
    f.create_dataset({ name: "embeddings", data: Float32Array.from(vectors.flat()), shape: [2, 4], dtype: "<f" });
    f.create_dataset({ name: "product_ids", data: ["P1", "P2"] });
    f.create_attribute("embedding_model", "h5-model");
    f.close();
    const r = await importFolder({ shop, dir });
    expect(r.problems).toEqual([]);
    expect(r.embeddings).toMatchObject({ modelId: "h5-model", dim: 4, count: 2 });
    expectStored("h5-model");
  });

  it("refuses a dimension that differs from the model already stored", async () => {
    const csv = "product_id,embedding_model,emb_0,emb_1,emb_2\nP1,h5-model,1,2,3\n";
    const r = await importFolder({ shop, dir: folder({ "product_embeddings.csv": csv }) });
    expect(r.problems[0]).toMatch(/^product_embeddings\.csv:1: model "h5-model" already has 4-dimensional vectors/);
  });
});

describe("import: streaming a big interactions file", () => {
  it("imports 200,000 interactions correctly, in bounded memory", async () => {
    const shop = "big.myshopify.com";
    const dir = folder({ "products.csv": GOOD_PRODUCTS, "customers.csv": GOOD_CUSTOMERS });
    const fd = fs.openSync(path.join(dir, "interactions.csv"), "w");
    fs.writeSync(fd, "interaction_id,customer_id,product_id,interaction_type,timestamp\n");
    const n = 200_000;
    for (let start = 0; start < n; start += 10_000) {
      const lines: string[] = [];
      for (let i = start; i < start + 10_000; i++) lines.push(`1${String(i).padStart(18, "0")},C${1 + (i % 2)},P${1 + ((i >> 1) % 2)},${i % 3 ? "view" : "click"},2024-0${1 + (i % 9)}-1${i % 10} 10:00:00\n`);
      fs.writeSync(fd, lines.join(""));
    }
    fs.closeSync(fd);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    const r = await importFolder({ shop, dir, onProgress: () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)) });
    expect(r.problems).toEqual([]);
    expect(count("Interaction", shop)).toBe(n);
    expect(row(`SELECT customerId, productId, type FROM Interaction WHERE shop = ? AND id = ?`, shop, `1${String(123_457).padStart(18, "0")}`)).toEqual({ customerId: "C2", productId: "P1", type: "view" });
    // Loose: the 13 MB file's rows as JS objects alone would take far more than this.
    expect(peakHeap - heapBefore).toBeLessThan(150e6);
  });
});

describe("import job", () => {
  it("imports and reports progress; bad input is BadJobInput with the problems", async () => {
    const fractions: number[] = [];
    const ctx = { jobId: "j1", attempt: 1, progress: (f: number) => void fractions.push(f), log: () => undefined };
    const ok = await importJob({ shop: "job.myshopify.com", dir: folder(ALL) }, ctx);
    expect(ok.files.map((f) => f.rows)).toEqual([2, 2, 1, 1, 2]);
    expect(fractions.at(-1)).toBe(1);
    const bad = importJob({ shop: "job.myshopify.com", dir: folder({ "products.csv": GOOD_PRODUCTS.replace("34.00", "x") }) }, ctx);
    await expect(bad).rejects.toBeInstanceOf(BadJobInput);
    await expect(bad).rejects.toThrow(/products\.csv:2: price: "x" is not a number/);
    await expect(importJob({ shop: "job.myshopify.com", dir: "/nonexistent" }, ctx)).rejects.toBeInstanceOf(BadJobInput);
  });
});
