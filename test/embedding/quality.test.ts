/**
 * Does the image pipeline put like with like? Checked on real photos from ../shared:
 * the model's test images (cats, dogs, hot dogs) and 100 H&M product photos with their product groups.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { runEmbed } from "../../app/embedding/embedPipeline.server";
import { loadImageModel } from "../../app/embedding/onnxModel";
import { dot } from "../../app/recommend/vector";
import { decodeToSquare, toTensor } from "../../app/embedding/preprocess";
import { loadVisualSearch } from "../../app/embedding/search.server";
import { loadCatalog } from "../../app/models/catalog.server";
import { useTempDatabase } from "../helpers/db";
import { describeIf, hasShared, sharedPath } from "../helpers/requires";
import { insertProducts } from "./fixtures";

const MODEL = "models/image/mobilenet_v2_1.0_224_quant.q.onnx";
useTempDatabase();

describeIf(hasShared(MODEL) && hasShared("models/image/testimages"), "../shared/models/image", "MobileNetV2 test images", () => {
  it("scores same-kind pairs higher than different-kind pairs", async () => {
    const groups: Record<string, string[]> = {
      cat: ["cat.png", "imprinting_cat_test_0.png", "imprinting_cat_train_0.png"],
      dog: ["imprinting_dog_test_0.png", "imprinting_dog_train_0.png"],
      hotdog: ["hot_dog.png", "imprinting_hotdog_test_0.png", "imprinting_hotdog_train_0.png", "imprinting_hotdog_train_1.png"],
    };
    const model = await loadImageModel({ path: sharedPath(MODEL) });
    const items = Object.entries(groups).flatMap(([kind, files]) => files.map((f) => ({ kind, f })));
    const vecs: Float32Array[] = [];
    for (const it of items) {
      const bytes = fs.readFileSync(sharedPath("models/image/testimages", it.f));
      vecs.push((await model.embed(toTensor(await decodeToSquare(bytes, 224), model.spec), 1))[0]);
    }
    await model.close();
    const same: number[] = [], diff: number[] = [];
    items.forEach((a, i) => {
      let best = -1;
      items.forEach((b, j) => {
        if (j === i) return;
        if (j > i) (a.kind === b.kind ? same : diff).push(dot(vecs[i], vecs[j]));
        if (best < 0 || dot(vecs[i], vecs[j]) > dot(vecs[i], vecs[best])) best = j;
      });
      expect(items[best].kind, `nearest to ${a.f}`).toBe(a.kind);
    });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(same)).toBeGreaterThan(mean(diff) + 0.2);
    expect(Math.min(...same)).toBeGreaterThan(0.35);
    expect(Math.max(...diff)).toBeLessThan(0.45);
  });
});

describeIf(hasShared(MODEL) && hasShared("data/hm-sample/images"), "../shared/data/hm-sample", "H&M product photos", () => {
  it("finds a nearest neighbour of the same product group far more often than a random neighbour", async () => {
    const shop = "hm.myshopify.com";
    const group = new Map<string, string>();
    const lines = fs.readFileSync(sharedPath("data/hm-sample/articles_sample.csv"), "utf8").split("\n").slice(1);
    for (const line of lines) {
      // article_id,product_code,prod_name,product_type_no,product_type_name,product_group_name,...
      const m = line.match(/^(\d+),\d+,(?:"[^"]*"|[^,]*),\d+,[^,]*,([^,]*),/);
      if (m) group.set(m[1].padStart(10, "0"), m[2]);
    }
    const dir = sharedPath("data/hm-sample/images");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".jpg"));
    expect(files.length).toBe(100);
    insertProducts(shop, files.map((f) => ({ id: f.replace(".jpg", ""), imageUrl: path.join(dir, f), category: group.get(f.replace(".jpg", "")) })));
    const r = await runEmbed({ shop, modelPath: sharedPath(MODEL), log: () => undefined });
    expect(r).toMatchObject({ embedded: 100, imagesFailed: 0 });

    const catalog = loadCatalog(shop);
    const search = (await loadVisualSearch(shop, catalog))!;
    expect(search.kind).toBe("onnx");
    let hits = 0;
    for (let i = 0; i < catalog.ids.length; i++) {
      const [nn] = search.search(search.vector(i)!, 1, new Set([i]));
      if (catalog.category[nn.item] === catalog.category[i]) hits++;
    }
    const share = hits / catalog.ids.length;
    // A random other product has the same group with probability sum((n_g - 1) / (n - 1)) / n.
    const counts = new Map<string, number>();
    for (const g of catalog.category) counts.set(g, (counts.get(g) ?? 0) + 1);
    const random = catalog.category.reduce((s, g) => s + (counts.get(g)! - 1) / (catalog.ids.length - 1), 0) / catalog.ids.length;
    console.log(`H&M nearest neighbour in the same product_group_name: ${(share * 100).toFixed(0)}% (random neighbour: ${(random * 100).toFixed(1)}%)`);
    expect(share).toBeGreaterThan(random + 0.3);
    expect(share).toBeGreaterThan(2.5 * random);
  });
});
