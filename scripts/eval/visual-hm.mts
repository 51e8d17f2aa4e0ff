/**
 * `npm run eval:visual`: do the product's image vectors put like with like? On the 100 real H&M
 * photos (../shared/data/hm-sample/images), through the product's own pipeline: `facet convert
 * --from hm` -> import into a fresh temp database -> runEmbed with the shared MobileNetV2
 * (../shared/models/image/*.onnx) -> the stored image-model and colour vectors. For each photo, its
 * nearest other photo by cosine; reported: the share whose neighbour has the same
 * product_group_name (the import's category) and the same product_type_name (subcategory), for
 *   - the image model alone, the colour descriptor alone,
 *   - the product's current fusion (visualVectors: what the visual source and index use),
 *   - a sweep of the colour weight w (cosine = (1 - w) model + w colour), for choosing it on data.
 *
 *   npm run eval:visual -- [--weights 0,0.05,0.1,0.2,0.3,0.5] [--json]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const HM = path.resolve(ROOT, "../shared/data/hm-sample");
const MODEL_DIR = path.resolve(ROOT, "../shared/models/image");

const { values: args } = parseArgs({ options: { weights: { type: "string", default: "0,0.05,0.1,0.15,0.2,0.3,0.5,0.7,1" }, json: { type: "boolean", default: false } } });
const weights = String(args.weights).split(",").map(Number);
if (weights.some((w) => !(w >= 0 && w <= 1))) throw new Error("--weights: numbers between 0 and 1, comma-separated");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "facet-eval-visual-"));
process.env.DATABASE_URL = `file:${path.join(tmp, "facet.db")}`;
process.env.FACET_DATA_DIR = path.join(tmp, "data");
delete process.env.IMAGE_MODEL_PATH;
const log = (m: string) => process.stderr.write(`eval:visual: ${m}\n`);

try {
  const model = fs.readdirSync(MODEL_DIR).find((f) => f.endsWith(".onnx"));
  if (!fs.existsSync(path.join(HM, "images")) || !model) throw new Error(`needs ${HM}/images and an .onnx model in ${MODEL_DIR}`);
  const { convertHm } = await import("../../app/import/mappers/hm");
  const { importFolder } = await import("../../app/import/importFolder.server");
  const { runEmbed } = await import("../../app/embedding/embedPipeline.server");
  const { loadLiveEmbeddings } = await import("../../app/models/embedding.server");
  const { activeVisualModel, visualVectors, visualKey } = await import("../../app/embedding/search.server");
  const { concatWeighted } = await import("../../app/embedding/pool");
  const { COLOUR_MODEL_ID, COLOUR_DIM } = await import("../../app/embedding/colour");
  const { rawDb } = await import("../../app/db.server");

  const shop = "eval-visual.myshopify.com";
  const dir = path.join(tmp, "hm");
  convertHm(HM, dir);
  const imp = await importFolder({ shop, dir });
  if (!imp.ok) throw new Error(`import failed:\n${imp.problems.join("\n")}`);
  const withPhoto = (rawDb().prepare(`SELECT id, category, subcategory FROM Product WHERE shop = ? AND imageUrl <> '' ORDER BY id`).all(shop) as { id: string; category: string; subcategory: string }[]);
  log(`embedding ${withPhoto.length} photos with ${model}`);
  const t0 = Date.now();
  const r = await runEmbed({ shop, productIds: withPhoto.map((p) => p.id), modelPath: path.join(MODEL_DIR, model), log: () => {} });
  const embedSeconds = (Date.now() - t0) / 1000;
  const active = activeVisualModel(shop);
  if (!active || active.kind !== "onnx") throw new Error(`no image-model vectors after embedding (${JSON.stringify(r).slice(0, 400)})`);
  const image = loadLiveEmbeddings(shop, active.modelId);
  const colour = loadLiveEmbeddings(shop, COLOUR_MODEL_ID);
  const ids = withPhoto.map((p) => p.id).filter((id) => image.has(id) && colour.has(id));
  const meta = new Map(withPhoto.map((p) => [p.id, p]));

  const unit = (v: Float32Array) => {
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n) || 1;
    return Float32Array.from(v, (x) => x / n);
  };
  /** Share of photos whose nearest other photo shares the group (and the type). */
  const agreement = (vectors: Map<string, Float32Array>) => {
    const vs = ids.map((id) => unit(vectors.get(id)!));
    let group = 0;
    let type = 0;
    ids.forEach((id, i) => {
      let best = -1;
      let bestScore = -Infinity;
      vs.forEach((v, j) => {
        if (j === i) return;
        let s = 0;
        for (let d = 0; d < v.length; d++) s += v[d] * vs[i][d];
        if (s > bestScore) [best, bestScore] = [j, s];
      });
      const a = meta.get(id)!;
      const b = meta.get(ids[best])!;
      if (a.category === b.category) group++;
      if (a.subcategory === b.subcategory) type++;
    });
    return { group: group / ids.length, type: type / ids.length };
  };
  const fused = (w: number) =>
    new Map(ids.map((id) => [id, concatWeighted([image.get(id)!.vector, colour.get(id)!.vector], [active.dim, COLOUR_DIM], [1 - w, w])]));
  const rows: { name: string; group: number; type: number }[] = [];
  rows.push({ name: `image model alone (${active.modelId})`, ...agreement(new Map(ids.map((id) => [id, image.get(id)!.vector]))) });
  rows.push({ name: `colour descriptor alone (${COLOUR_MODEL_ID})`, ...agreement(new Map(ids.map((id) => [id, colour.get(id)!.vector]))) });
  rows.push({ name: `product's current fusion (${visualKey(active)})`, ...agreement(new Map(visualVectors(shop, active, ids).map((e) => [e.productId, e.vector]))) });
  for (const w of weights) rows.push({ name: `fusion w = ${w}`, ...agreement(fused(w)) });
  // Chance level: the share of ordered pairs of different photos that share the group.
  let same = 0;
  for (const a of ids) for (const b of ids) if (a !== b && meta.get(a)!.category === meta.get(b)!.category) same++;
  const chance = same / (ids.length * (ids.length - 1));
  if (args.json) console.log(JSON.stringify({ photos: ids.length, embedSeconds, chance, rows }, null, 2));
  else {
    console.log(`H&M photos: ${ids.length} embedded in ${embedSeconds.toFixed(1)} s; nearest other photo shares product_group_name / product_type_name (chance for the group: ${(chance * 100).toFixed(1)} %)\n`);
    console.log("| vectors | same product group | same product type |\n|---|---|---|");
    for (const r of rows) console.log(`| ${r.name} | ${(r.group * 100).toFixed(0)} % | ${(r.type * 100).toFixed(0)} % |`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
