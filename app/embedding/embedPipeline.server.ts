/**
 * The embed pipeline of one shop: fetch every product's images, decode them, compute the colour
 * descriptor (always) and the image model's embedding (when a model is configured), pool a
 * product's images into one vector, store vectors with the images' hash, and bring the shop's
 * nearest-neighbour index up to date.
 *
 * Work is skipped where nothing changed: a product whose pooled image hash equals the stored one
 * is not decoded or embedded again (http images whose URL is unchanged and fetched fine before are
 * not even downloaded again: Shopify's CDN URLs change with the image). Failed images are recorded
 * with their reason and retried on the next run; they never abort the batch.
 *
 * Overlap: products are fetched and decoded concurrently (sharp works on libuv's thread pool) into
 * a bounded queue of decoded images; the consumer takes batches of `batchSize` and runs inference
 * while the producers keep decoding the next ones.
 */
import crypto from "node:crypto";
import os from "node:os";
import { env } from "../env.server";
import {
  embeddingHashes,
  imageModelSetting,
  pruneEmbeddings,
  saveEmbeddings,
  saveVisualStatus,
  visualStatus,
  type StoredEmbedding,
} from "../models/embedding.server";
import { imageBaseDir, imageStates, productImageRefs, saveImageStates, type ImageState } from "../models/productImage.server";
import { COLOUR_DIM, COLOUR_MODEL_ID, COLOUR_SIZE, colourDescriptor } from "./colour";
import { ImageFetcher, isHttpUrl, Limiter, type FetchOptions } from "./fetch";
import { loadImageModel, validateConfig, type ImageModel, type ImageModelConfig } from "./onnxModel";
import { poolProductVector } from "./pool";
import { MIN_CENTRE_PRODUCTS } from "./space";
import { decodeToSquare, toTensor, type Framing, type SquareRgb } from "./preprocess";
import { activeVisualModel, describeVisualFusion, recordFusionWeight, refreshVisualIndex, visualFingerprint } from "./search.server";
import { systemClock } from "../clock";

/** Bumped when decoding or pooling changes: every product is then embedded again (p2: trimmed backdrop, preprocess.ts). */
export const PIPELINE_VERSION = "p2";
/** Products per database write during a run. */
const FLUSH_EVERY = 256;

export const NO_MODEL_NOTE =
  "No image model is configured (IMAGE_MODEL_PATH or the shop's image.model setting): visual similarity uses the colour descriptor alone (colour-hist-v1).";

export interface EmbedProgress {
  phase: "images" | "index";
  productsDone: number;
  productsTotal: number;
  imagesDone: number;
  imagesFailed: number;
  imagesPerSec: number;
}

export interface EmbedOptions {
  shop: string;
  productIds?: string[];
  force?: boolean;
  /** Overrides the model path of the settings and of IMAGE_MODEL_PATH. */
  modelPath?: string;
  /** Overrides single config values (names, layout, range, size). */
  modelConfig?: Partial<ImageModelConfig>;
  batchSize?: number;
  /** How photos are framed before the model sees them (preprocess.ts); default "trim". A change embeds every product again. */
  framing?: Framing;
  fetch?: FetchOptions & { concurrency?: number; perHost?: number };
  onProgress?: (p: EmbedProgress) => void;
  log?: (message: string) => void;
}

export interface EmbedFailure {
  productId: string;
  position: number;
  url: string;
  reason: string;
}

export interface EmbedResult {
  shop: string;
  products: number;
  /** Products whose vectors were (re)computed. */
  embedded: number;
  /** Products unchanged since the last run. */
  unchanged: number;
  /** Products with no usable image. */
  withoutImage: number;
  images: number;
  imagesDecoded: number;
  imagesFailed: number;
  failures: EmbedFailure[];
  model: { id: string; dim: number; inputName: string; outputName: string; layout: string; size: number; range: string } | null;
  colourModelId: string;
  note: string | null;
  index: { key: string; total: number; added: number; updated: number; removed: number; rebuilt: boolean; projected: boolean; ms: number } | null;
  seconds: number;
  imagesPerSec: number;
}

/** The model to use: explicit path/config, else the shop's image.model setting, else IMAGE_MODEL_PATH; null when none. */
export function resolveModelConfig(shop: string, modelPath?: string, overrides: Partial<ImageModelConfig> = {}): ImageModelConfig | null {
  const raw = imageModelSetting(shop);
  const fromSetting = raw === undefined ? {} : validateConfig(raw, `setting "image.model" of ${shop}`);
  const path = modelPath ?? fromSetting.path ?? env().IMAGE_MODEL_PATH;
  if (!path) return null;
  // A setting's id and config describe the setting's model; an explicit other path drops them.
  const base = modelPath && modelPath !== fromSetting.path ? {} : fromSetting;
  return { ...base, ...overrides, path };
}

/** Hash over a product's image hashes (in position order), the pipeline version and the framing. */
export function pooledHash(imageHashes: string[], framing: Framing = "trim"): string {
  const version = framing === "trim" ? PIPELINE_VERSION : `${PIPELINE_VERSION}-${framing}`;
  return crypto.createHash("sha256").update(`${version}\n${imageHashes.join("\n")}`).digest("hex").slice(0, 32);
}

interface ProductWork {
  productId: string;
  positions: number[];
  colours: Float32Array[];
  vectors: (Float32Array | null)[];
  pending: number;
  hash: string;
  needsModel: boolean;
}

interface DecodedImage {
  work: ProductWork;
  slot: number;
  rgb: SquareRgb;
}

export async function runEmbed(opts: EmbedOptions): Promise<EmbedResult> {
  const started = performance.now();
  const { shop } = opts;
  const log = opts.log ?? ((m: string) => console.error(m));
  const config = resolveModelConfig(shop, opts.modelPath, opts.modelConfig);
  let model: ImageModel | null = null;
  if (config) {
    model = await loadImageModel(config);
    for (const n of model.notes) log(`image model ${model.id}: ${n}`);
  } else {
    log(NO_MODEL_NOTE);
  }
  try {
    return await embedWith(opts, model, started, log);
  } finally {
    await model?.close();
  }
}

async function embedWith(opts: EmbedOptions, model: ImageModel | null, started: number, log: (m: string) => void): Promise<EmbedResult> {
  const { shop } = opts;
  const force = opts.force ?? false;
  const framing = opts.framing ?? "trim";
  const products = productImageRefs(shop, opts.productIds);
  // Taken before any write: lets a run over a few products patch the index instead of re-reading all vectors.
  const fingerprintBefore = visualFingerprint(shop);
  const previous = imageStates(shop);
  const colourHashes = embeddingHashes(shop, COLOUR_MODEL_ID);
  const modelHashes = model ? embeddingHashes(shop, model.id) : null;
  const fetcher = new ImageFetcher({ baseDir: imageBaseDir(shop), ...opts.fetch });
  const decodeSize = model ? model.spec.size : COLOUR_SIZE;
  const batchSize = opts.batchSize ?? 16;
  const cores = Math.max(1, os.availableParallelism());

  const states = new Map<string, Omit<ImageState, "productId">[]>();
  const failures: EmbedFailure[] = [];
  const colourRows: StoredEmbedding[] = [];
  const modelRows: StoredEmbedding[] = [];
  let embedded = 0, unchanged = 0, withoutImage = 0, imagesTotal = 0, imagesDecoded = 0, imagesFailed = 0, productsDone = 0;

  const progress = (phase: EmbedProgress["phase"] = "images") => {
    const secs = (performance.now() - started) / 1000;
    opts.onProgress?.({
      phase,
      productsDone,
      productsTotal: products.length,
      imagesDone: imagesDecoded,
      imagesFailed,
      imagesPerSec: secs > 0 ? imagesDecoded / secs : 0,
    });
  };

  // Written in chunks as products finish: memory stays flat for large catalogs, and an interrupted
  // run keeps what it did (the next run skips those products by their hash).
  const flush = (all = false) => {
    if (!all && colourRows.length < FLUSH_EVERY) return;
    saveImageStates(shop, states);
    saveEmbeddings(shop, COLOUR_MODEL_ID, colourRows);
    if (model) saveEmbeddings(shop, model.id, modelRows);
    states.clear();
    colourRows.length = 0;
    modelRows.length = 0;
  };

  const finish = (w: ProductWork) => {
    if (w.colours.length > 0) {
      const colour = poolProductVector(w.colours, w.positions);
      if (colour) colourRows.push({ productId: w.productId, vector: colour, imageHash: w.hash });
      if (model && w.needsModel) {
        const vs = w.vectors.filter((v): v is Float32Array => v !== null);
        const pooled = poolProductVector(vs, w.positions.filter((_, i) => w.vectors[i] !== null));
        if (pooled) modelRows.push({ productId: w.productId, vector: pooled, imageHash: w.hash });
      }
      embedded++;
    }
    productsDone++;
    progress();
    flush();
  };

  // ---- the bounded queue between decoding and inference
  const ready: DecodedImage[] = [];
  let wakeConsumer: (() => void) | null = null;
  const wakeProducers: (() => void)[] = [];
  let producing = true;
  let aborted = false;
  const maxQueued = batchSize * 4;
  const notifyConsumer = () => {
    wakeConsumer?.();
    wakeConsumer = null;
  };
  const enqueue = async (img: DecodedImage) => {
    while (ready.length >= maxQueued && !aborted) await new Promise<void>((r) => wakeProducers.push(r));
    if (aborted) return;
    ready.push(img);
    if (ready.length >= batchSize) notifyConsumer();
  };

  const decodeLimiter = new Limiter(Math.max(2, cores));
  const productLimiter = new Limiter(Math.max(4, cores * 4));

  const handleProduct = async (p: (typeof products)[number]) => {
    const prev = previous.get(p.productId) ?? [];
    imagesTotal += p.refs.length;
    // Known http images are not downloaded again unless forced (their URL carries the version).
    const known = p.refs.map((url, pos) => {
      const s = prev.find((x) => x.position === pos);
      return !force && s && s.url === url && s.status === "ok" && s.hash && isHttpUrl(url) ? s.hash : null;
    });
    if (p.refs.length > 0 && known.every((h) => h !== null)) {
      const h = pooledHash(known as string[], framing);
      if (colourHashes.get(p.productId) === h && (!modelHashes || modelHashes.get(p.productId) === h)) {
        unchanged++;
        productsDone++;
        progress();
        return;
      }
    }
    const fetched = await Promise.all(p.refs.map((ref) => fetcher.fetch(ref)));
    const now = systemClock.now().toISOString();
    const rowStates: Omit<ImageState, "productId">[] = [];
    const okImages: { pos: number; bytes: Buffer; hash: string }[] = [];
    fetched.forEach((r, pos) => {
      if (r.ok) {
        okImages.push({ pos, bytes: r.bytes, hash: r.hash });
        rowStates.push({ position: pos, url: p.refs[pos], status: "ok", error: null, hash: r.hash, fetchedAt: now });
      } else {
        rowStates.push({ position: pos, url: p.refs[pos], status: "failed", error: r.reason, hash: null, fetchedAt: now });
      }
    });
    const hash = pooledHash(okImages.map((i) => i.hash), framing);
    const colourSame = colourHashes.get(p.productId) === hash;
    const modelSame = !modelHashes || modelHashes.get(p.productId) === hash;
    if (!force && okImages.length > 0 && colourSame && modelSame && okImages.length === p.refs.length) {
      states.set(p.productId, rowStates);
      unchanged++;
      productsDone++;
      progress();
      return;
    }
    // Decode every fetched image; an undecodable one becomes a failure like a failed download.
    const decoded = await Promise.all(
      okImages.map((img) =>
        decodeLimiter.run(async () => {
          try {
            return await decodeToSquare(img.bytes, decodeSize, framing);
          } catch (e) {
            const st = rowStates[img.pos];
            st.status = "failed";
            st.error = `cannot decode: ${(e as Error).message}`;
            return null;
          }
        }),
      ),
    );
    const work: ProductWork = { productId: p.productId, positions: [], colours: [], vectors: [], pending: 0, hash: "", needsModel: !!model };
    const goodHashes: string[] = [];
    decoded.forEach((rgb, i) => {
      if (!rgb) return;
      work.positions.push(okImages[i].pos);
      work.colours.push(colourDescriptor(rgb));
      work.vectors.push(null);
      goodHashes.push(okImages[i].hash);
    });
    work.hash = pooledHash(goodHashes, framing);
    for (const st of rowStates) {
      if (st.status === "failed") {
        imagesFailed++;
        failures.push({ productId: p.productId, position: st.position, url: st.url, reason: st.error ?? "failed" });
      }
    }
    imagesDecoded += work.colours.length;
    states.set(p.productId, rowStates);
    if (work.colours.length === 0) {
      withoutImage++;
      finish(work);
      return;
    }
    if (!model) {
      finish(work);
      return;
    }
    work.pending = work.colours.length;
    let slot = 0;
    for (let i = 0; i < decoded.length; i++) {
      const rgb = decoded[i];
      if (rgb) await enqueue({ work, slot: slot++, rgb });
    }
  };

  const producers = (async () => {
    await Promise.all(products.map((p) => productLimiter.run(() => handleProduct(p))));
    producing = false;
    notifyConsumer();
  })();

  const consumer = (async () => {
    if (!model) return;
    const size = model.spec.size;
    // Two tensors: one being filled while the other is in inference.
    const buffers = [new Float32Array(batchSize * 3 * size * size), new Float32Array(batchSize * 3 * size * size)];
    let which = 0;
    for (;;) {
      if (ready.length < batchSize && producing) {
        await new Promise<void>((r) => (wakeConsumer = r));
        continue;
      }
      if (ready.length === 0) {
        if (!producing) break;
        continue;
      }
      const batch = ready.splice(0, batchSize);
      for (const w of wakeProducers.splice(0)) w();
      const tensor = buffers[which];
      which ^= 1;
      batch.forEach((img, i) => toTensor(img.rgb, model.spec, tensor, i));
      const vectors = await model.embed(tensor, batch.length);
      batch.forEach((img, i) => {
        img.work.vectors[img.slot] = vectors[i];
        if (--img.work.pending === 0) finish(img.work);
      });
    }
  })();

  try {
    await Promise.all([producers, consumer]);
  } catch (e) {
    // Inference failed (a model that does not fit): release the producers and report.
    aborted = true;
    for (const w of wakeProducers.splice(0)) w();
    throw e;
  }

  flush(true);
  const pruned = pruneEmbeddings(shop);
  let note: string | null = null;
  // The catalogue centre of the image model's space stays across runs (recordFusionWeight decides when to refit it).
  const centre = visualStatus(shop)?.centre;
  if (model) saveVisualStatus(shop, { kind: "onnx", modelId: model.id, dim: model.dim, note, ...(centre?.modelId === model.id ? { centre } : {}) });
  else {
    // Without a model now, image-model vectors from earlier runs or an import may still serve.
    const earlier = activeVisualModel(shop);
    if (earlier?.kind === "onnx") {
      note = `No image model is configured for this run: products embedded now have only the colour descriptor; image-model vectors of ${earlier.modelId} from earlier runs or an import still serve the others.`;
      saveVisualStatus(shop, { kind: "onnx", modelId: earlier.modelId, dim: earlier.dim, note, ...(centre?.modelId === earlier.modelId ? { centre } : {}) });
    } else {
      note = NO_MODEL_NOTE;
      saveVisualStatus(shop, { kind: "colour", modelId: COLOUR_MODEL_ID, dim: COLOUR_DIM, note });
    }
  }

  // The colour weight against the image model, chosen on this shop's catalogue (fusion.ts); the index key carries it.
  const fusion = recordFusionWeight(shop);
  if (fusion) {
    const line = describeVisualFusion(shop);
    if (line) log(line);
    log(`visual space: image-model vectors power-normalised, ${fusion.centre ? `centred on the mean of ${fusion.centre.products} products (${fusion.centreRefitted ? "fitted now" : "kept from an earlier run"})` : `not centred (fewer than ${MIN_CENTRE_PRODUCTS} products)`}`);
  }

  progress("index");
  const changed = opts.productIds ? [...new Set([...opts.productIds, ...pruned])] : undefined;
  const index = refreshVisualIndex(shop, { force, changed, fingerprintBefore });
  if (failures.length > 0) log(`${failures.length} image(s) failed; they are retried on the next run (first: ${failures[0].productId}: ${failures[0].reason})`);
  const seconds = (performance.now() - started) / 1000;
  return {
    shop,
    products: products.length,
    embedded,
    unchanged,
    withoutImage,
    images: imagesTotal,
    imagesDecoded,
    imagesFailed,
    failures,
    model: model
      ? { id: model.id, dim: model.dim, inputName: model.inputName, outputName: model.outputName, layout: model.spec.layout, size: model.spec.size, range: model.spec.range }
      : null,
    colourModelId: COLOUR_MODEL_ID,
    note,
    index,
    seconds,
    imagesPerSec: seconds > 0 ? imagesDecoded / seconds : 0,
  };
}
