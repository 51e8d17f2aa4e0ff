import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { CATEGORIES } from "../../app/demo/calibration";
import { generateDemoShop } from "../../app/demo/generate";
import { IMAGE_SIZE, productSvg, renderSvg, type ImageSpec } from "../../app/demo/images";
import { readCsv, tempDir } from "./helpers";

const root = tempDir("facet-demo-img-");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const ring = (metal: ImageSpec["metal"], gem: ImageSpec["gem"] = "diamond"): ImageSpec => ({
  category: "rings", variant: "plain", metal, gem, cut: "round", rotation: 0, scale: 1, dx: 0, dy: 0,
});

async function meanRgb(png: Buffer): Promise<[number, number, number]> {
  const s = await sharp(png).stats();
  return [s.channels[0].mean, s.channels[1].mean, s.channels[2].mean];
}

/** Share of pixels that are not (near) white: how much of the image is the piece. */
async function inkShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] + data[i + 1] + data[i + 2] < 720) ink++;
  return ink / (info.width * info.height);
}

describe("product images", () => {
  it("a gold ring is yellower than a silver ring (mean colour), on a white background", async () => {
    const gold = await renderSvg(productSvg(ring("gold")));
    const silver = await renderSvg(productSvg(ring("silver")));
    const [gr, , gb] = await meanRgb(gold);
    const [sr, , sb] = await meanRgb(silver);
    expect(gr - gb).toBeGreaterThan(sr - sb + 10);
    const { data } = await sharp(gold).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([255, 255, 255]); // corner pixel
  });

  it("the stone's colour shows: a ruby ring is redder than a sapphire ring", async () => {
    const [rr, , rb] = await meanRgb(await renderSvg(productSvg(ring("platinum", "ruby"))));
    const [sr, , sb] = await meanRgb(await renderSvg(productSvg(ring("platinum", "sapphire"))));
    expect(rr - rb).toBeGreaterThan(sr - sb + 2);
  });

  it("draws every category's silhouette (something visible, and different from a ring)", async () => {
    const ringPng = await renderSvg(productSvg(ring("gold")));
    for (const category of CATEGORIES) {
      const png = await renderSvg(productSvg({ ...ring("gold"), category }));
      const share = await inkShare(png);
      expect(share, category).toBeGreaterThan(0.02);
      expect(share, category).toBeLessThan(0.8);
      if (category !== "rings") expect(png.equals(ringPng), category).toBe(false);
    }
  });

  it("writes one PNG of the right size per product, at the image_url of products.csv", async () => {
    const out = path.join(root, "shop");
    const summary = await generateDemoShop({ out, products: 40, customers: 20, interactions: 200, seed: 3, images: true });
    expect(summary.images!.rendered + summary.images!.reused).toBe(40);
    const products = readCsv(path.join(out, "products.csv")).rows;
    for (const p of products) {
      expect(p.image_url).toBe(`images/${p.product_id}.png`);
      const file = path.join(out, p.image_url);
      expect(fs.readFileSync(file).subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", IMAGE_SIZE, IMAGE_SIZE]);
    }
  });
});
