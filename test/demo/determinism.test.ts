import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoShop } from "../../app/demo/generate";
import { hashTree, readCsv, tempDir } from "./helpers";

const root = tempDir("facet-demo-det-");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const small = { products: 120, customers: 150, interactions: 3000, images: true };

describe("generateDemoShop determinism", () => {
  it("writes byte-identical files (CSV and PNG) for the same seed and now", async () => {
    const a = path.join(root, "a");
    const b = path.join(root, "b");
    await generateDemoShop({ ...small, out: a, seed: 7 });
    await generateDemoShop({ ...small, out: b, seed: 7, imageConcurrency: 1 });
    const ha = hashTree(a);
    expect(Object.keys(ha)).toHaveLength(5 + small.products);
    expect(hashTree(b)).toEqual(ha);
  });

  it("gives a different shop for another seed, and another history for another now", async () => {
    const c = path.join(root, "c");
    const d = path.join(root, "d");
    await generateDemoShop({ ...small, images: false, out: c, seed: 8 });
    await generateDemoShop({ ...small, images: false, out: d, seed: 7, now: new Date("2025-03-01T00:00:00Z") });
    const a = hashTree(path.join(root, "a"));
    expect(hashTree(c)["products.csv"]).not.toBe(a["products.csv"]);
    expect(hashTree(d)["interactions.csv"]).not.toBe(a["interactions.csv"]);
    const last = readCsv(path.join(d, "interactions.csv")).rows.map((r) => r.timestamp).sort().at(-1)!;
    expect(last < "2025-03-01 00:00:00").toBe(true);
    expect(last > "2025-02-01").toBe(true);
  });

  it("finishes tiny shops with the exact number of interactions asked for", async () => {
    for (const [products, customers, interactions] of [[1, 1, 10], [3, 2, 0], [10, 50, 500]]) {
      const out = path.join(root, `tiny-${products}-${customers}`);
      const s = await generateDemoShop({ out, products, customers, interactions, seed: 1, images: false });
      expect([s.products, s.customers, s.interactions]).toEqual([products, customers, interactions]);
      expect(readCsv(path.join(out, "interactions.csv")).rows).toHaveLength(interactions);
    }
  });
});
