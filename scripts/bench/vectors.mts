/**
 * Synthetic image-model vectors for the benchmark shop (generate-demo --no-images has no images to
 * embed): one 1,280-d vector per product (MobileNetV2's width), clustered like real embeddings
 * (test/embedding/synthetic.ts), written as product_embeddings.npy + product_ids.txt into a folder
 * that `facet import` reads. With them the served shop has a visual index of catalogue size, so the
 * storefront, memory and batch figures include the visual signal.
 *   node --import tsx scripts/bench/vectors.mts <shop dir with products.csv> <out dir> [--dim 1280]
 * Prints one JSON line.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeNpy } from "../../app/import/embeddingsFormats.ts";
import { syntheticVectors } from "../../test/embedding/synthetic.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { dim: { type: "string", default: "1280" } } });
const [shopDir, outDir] = positionals;
if (!shopDir || !outDir) throw new Error("usage: vectors.mts <shop dir> <out dir> [--dim 1280]");
const dim = Number(values.dim);
const t0 = performance.now();
// products.csv: the first column is product_id (the generator writes no quoted ids).
const ids = fs.readFileSync(path.join(shopDir, "products.csv"), "utf8").split("\n").slice(1).map((l) => l.split(/[;,]/)[0]).filter(Boolean);
const vectors = syntheticVectors(ids.length, dim, { clusters: Math.max(10, Math.round(ids.length / 250)), seed: 11 });
fs.mkdirSync(outDir, { recursive: true });
writeNpy(path.join(outDir, "product_embeddings.npy"), vectors, dim);
fs.writeFileSync(path.join(outDir, "product_ids.txt"), ids.join("\n") + "\n");
console.log(JSON.stringify({ bench: "vectors", products: ids.length, dim, seconds: +((performance.now() - t0) / 1000).toFixed(2) }));
