/**
 * Image pipeline throughput on this machine: images/s of the whole embed pipeline (read, decode,
 * colour descriptor, inference, pooling, storing, index) against inference alone on the same images
 * (decoded beforehand), with the shared MobileNetV2 on the 100 H&M photos and the 16 model test images.
 *
 *   node --import tsx scripts/bench/images.mts [--model <file.onnx>] [--batch 16] [--rounds 3]
 *
 * Prints one JSON line. Needs ../shared (or --model and FACET_BENCH_IMAGES=<dir>).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { model: { type: "string" }, batch: { type: "string" }, rounds: { type: "string" } } });
const here = path.dirname(new URL(import.meta.url).pathname);
const shared = path.resolve(here, "../../../shared");
const modelPath = values.model ?? process.env.IMAGE_MODEL_PATH ?? path.join(shared, "models/image/mobilenet_v2_1.0_224_quant.q.onnx");
delete process.env.IMAGE_MODEL_PATH; // the model is passed explicitly; the colour-only round must have none
const batchSize = Number(values.batch ?? 16);
const rounds = Number(values.rounds ?? 3);
const dirs = process.env.FACET_BENCH_IMAGES
  ? [process.env.FACET_BENCH_IMAGES]
  : [path.join(shared, "data/hm-sample/images"), path.join(shared, "models/image/testimages")];
const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).map((f) => path.join(d, f)));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "facet-bench-images-"));
process.env.DATABASE_URL = `file:${tmp}/bench.db`;
process.env.FACET_DATA_DIR = `${tmp}/data`;
const { rawDb, closeDb } = await import("../../app/db.server.ts");
const { runEmbed } = await import("../../app/embedding/embedPipeline.server.ts");
const { loadImageModel } = await import("../../app/embedding/onnxModel.ts");
const { decodeToSquare, toTensor } = await import("../../app/embedding/preprocess.ts");

const shop = "bench.myshopify.com";
const ins = rawDb().prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus) VALUES (?, ?, ?, 'x', 'x', 1, ?, 'x', 'in_stock')`);
files.forEach((f, i) => ins.run(shop, `B${String(i).padStart(4, "0")}`, path.basename(f), f));

// Inference alone: the same images, decoded and laid out beforehand.
const tLoad = performance.now();
const model = await loadImageModel({ path: modelPath });
const modelLoadMs = performance.now() - tLoad; // paid once per embed run (session creation, graph optimisation, probe)
const decoded = await Promise.all(files.map(async (f) => decodeToSquare(fs.readFileSync(f), model.spec.size)));
const tensors: { t: Float32Array; n: number }[] = [];
for (let i = 0; i < decoded.length; i += batchSize) {
  const n = Math.min(batchSize, decoded.length - i);
  const t = new Float32Array(n * 3 * model.spec.size * model.spec.size);
  for (let j = 0; j < n; j++) toTensor(decoded[i + j], model.spec, t, j);
  tensors.push({ t, n });
}
await model.embed(tensors[0].t, tensors[0].n); // warm-up

// Decode alone (read from disk + sharp), all cores.
const t1 = performance.now();
await Promise.all(files.map(async (f) => decodeToSquare(await fs.promises.readFile(f), 224)));
const decodeRate = files.length / ((performance.now() - t1) / 1000);

// Inference alone and the whole pipeline (forced: every image read, decoded, embedded, stored;
// index rebuilt), interleaved round by round so that both see the same machine load.
// CPU time of the whole process (all threads) as well: on a machine shared with other work, wall
// time measures the neighbours too; CPU ms per image does not.
const inferenceRates: number[] = [];
const pipelineRates: number[] = [];
const inferenceCpu: number[] = [];
const pipelineCpu: number[] = [];
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  for (const b of tensors) await model.embed(b.t, b.n);
  inferenceRates.push(files.length / ((performance.now() - t0) / 1000));
  inferenceCpu.push(cpuMs(process.cpuUsage(c0)) / files.length);
  t0 = performance.now();
  c0 = process.cpuUsage();
  const res = await runEmbed({ shop, modelPath, force: true, batchSize, log: () => undefined });
  if (res.imagesDecoded !== files.length) throw new Error(`pipeline decoded ${res.imagesDecoded} of ${files.length}`);
  pipelineRates.push(files.length / ((performance.now() - t0) / 1000));
  pipelineCpu.push(cpuMs(process.cpuUsage(c0)) / files.length);
}
await model.close();
// Colour descriptor only (no model).
const t2 = performance.now();
await runEmbed({ shop, force: true, log: () => undefined, modelPath: undefined });
const colourOnlyRate = files.length / ((performance.now() - t2) / 1000);

await closeDb();
fs.rmSync(tmp, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify({
    bench: "images",
    images: files.length,
    model: path.basename(modelPath),
    batch: batchSize,
    cores: os.availableParallelism(),
    loadavg1: r1(os.loadavg()[0]),
    inferenceImagesPerSec: r1(median(inferenceRates)),
    pipelineImagesPerSec: r1(median(pipelineRates)),
    pipelineOverInference: Math.round(median(pipelineRates.map((p, i) => p / inferenceRates[i])) * 100) / 100,
    modelLoadMs: Math.round(modelLoadMs),
    // The pipeline without its one-off model load: the rate a large catalogue approaches.
    pipelineSteadyImagesPerSec: r1(files.length / (files.length / median(pipelineRates) - modelLoadMs / 1000)),
    inferenceCpuMsPerImage: r1(median(inferenceCpu)),
    pipelineCpuMsPerImage: r1(median(pipelineCpu)),
    // Images/s two idle cores would give if the work spread over both perfectly: 2000 / CPU ms per image.
    inferenceImagesPerSecAt2FreeCores: r1(2000 / median(inferenceCpu)),
    pipelineImagesPerSecAt2FreeCores: r1(2000 / median(pipelineCpu)),
    decodeOnlyImagesPerSec: r1(decodeRate),
    colourOnlyPipelineImagesPerSec: r1(colourOnlyRate),
    rounds: { inference: inferenceRates.map(r1), pipeline: pipelineRates.map(r1) },
  }),
);
