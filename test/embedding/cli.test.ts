import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../app/cli/main";
import { useTempDatabase } from "../helpers/db";
import { GOLD, insertProducts, ringImage, ROSE, SILVER } from "./fixtures";

delete process.env.IMAGE_MODEL_PATH;
const { dir } = useTempDatabase();
const SHOP = "cli-embed.myshopify.com";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

beforeAll(async () => {
  const img = path.join(dir(), "img");
  fs.mkdirSync(img);
  const colours = { G: GOLD, R: ROSE, S: SILVER } as const;
  const products = [];
  for (const [metal, rgb] of Object.entries(colours)) {
    for (let i = 0; i < 4; i++) {
      const file = path.join(img, `${metal}${i}.png`);
      fs.writeFileSync(file, await ringImage(rgb.map((c) => Math.round(c * (0.9 + i * 0.05))) as [number, number, number], { width: 40 + i * 4 }));
      products.push({ id: `${metal}${i}`, imageUrl: file, category: i % 2 ? "rings" : "necklaces", price: 100 + i * 50, stockStatus: i === 3 ? "out_of_stock" : "in_stock" });
    }
  }
  insertProducts(SHOP, products);
});

describe("facet embed / facet similar", () => {
  it("embeds without a model and answers similar products as JSON, with filters", async () => {
    const embed = await run(["embed", "--shop", SHOP, "--json"]);
    expect(embed.code).toBe(0);
    expect(JSON.parse(embed.out)).toMatchObject({ products: 12, embedded: 12, model: null, colourModelId: "colour-hist-v1" });

    const similar = await run(["similar", "--shop", SHOP, "--product", "G0", "--k", "3", "--json"]);
    expect(similar.code).toBe(0);
    const res = JSON.parse(similar.out);
    expect(res.model).toMatchObject({ kind: "colour", modelId: "colour-hist-v1" });
    expect(res.note).toContain("colour descriptor only");
    // Log lines go to stderr and never look like the start of JSON (scripts read merged output).
    expect(similar.err.split("\n").filter((l) => /^[[{]/.test(l))).toEqual([]);
    expect(res.results.map((r: { productId: string }) => r.productId).sort()).toEqual(["G1", "G2", "G3"]);

    const filtered = JSON.parse((await run(["similar", "--shop", SHOP, "--product", "G0", "--k", "5", "--in-stock", "--category", "same", "--price-band", "1", "--json"])).out);
    for (const r of filtered.results) {
      expect(r.inStock).toBe(true);
      expect(r.category).toBe("necklaces");
      expect(Math.abs(r.price - 100)).toBeLessThanOrEqual(100);
    }
    expect(filtered.results.map((r: { productId: string }) => r.productId)[0]).toBe("G2");

    const exact = JSON.parse((await run(["similar", "--shop", SHOP, "--product", "G0", "--k", "3", "--exact", "--json"])).out);
    expect(exact.results.map((r: { productId: string }) => r.productId)).toEqual(res.results.map((r: { productId: string }) => r.productId));
  });

  it("says what to do for an unknown product or bad flags", async () => {
    const unknown = await run(["similar", "--shop", SHOP, "--product", "NOPE"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('product "NOPE" is not in shop');
    const bad = await run(["similar", "--shop", SHOP, "--product", "G0", "--category", "other"]);
    expect(bad.code).toBe(2);
    const badModel = await run(["embed", "--shop", SHOP, "--model", path.join(dir(), "absent.onnx")]);
    expect(badModel.code).toBe(1);
    expect(badModel.err).toContain("image model not found");
  });
});
