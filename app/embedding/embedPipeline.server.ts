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
  const run = new EmbedRun(opts, model, started);
  await run.embedAll();
  return run.finishRun(log);
}

type ProductRef = ReturnType<typeof productImageRefs>[number];
type RowState = Omit<ImageState, "productId">;

/**
 * One run of the pipeline over a shop's products: producers (fetch, decode, colour descriptor)
 * feed a bounded queue of decoded images; one consumer runs the model on batches; finished
 * products are written in chunks.
 */
class EmbedRun {
  private readonly shop: string;
  private readonly force: boolean;
  private readonly framing: Framing;
  private readonly products: ProductRef[];
  /** Taken before any write: lets a run over a few products patch the index instead of re-reading all vectors. */
  private readonly fingerprintBefore: ReturnType<typeof visualFingerprint>;
  private readonly previous: ReturnType<typeof imageStates>;
  private readonly colourHashes: ReturnType<typeof embeddingHashes>;
  private readonly modelHashes: ReturnType<typeof embeddingHashes> | null;
  private readonly fetcher: ImageFetcher;
  private readonly decodeSize: number;
  private readonly batchSize: number;
  private readonly decodeLimiter: Limiter;
  private readonly productLimiter: Limiter;

  private readonly states = new Map<string, RowState[]>();
  private readonly failures: EmbedFailure[] = [];
  private readonly colourRows: StoredEmbedding[] = [];
  private readonly modelRows: StoredEmbedding[] = [];
  private embedded = 0;
  private unchanged = 0;
  private withoutImage = 0;
  private imagesTotal = 0;
  private imagesDecoded = 0;
  private imagesFailed = 0;
  private productsDone = 0;

  // ---- the bounded queue between decoding and inference
  private readonly ready: DecodedImage[] = [];
  private wakeConsumer: (() => void) | null = null;
  private readonly wakeProducers: (() => void)[] = [];
  private producing = true;
  private aborted = false;

  constructor(private readonly opts: EmbedOptions, private readonly model: ImageModel | null, private readonly started: number) {
    const { shop } = opts;
    this.shop = shop;
    this.force = opts.force ?? false;
    this.framing = opts.framing ?? "trim";
    this.products = productImageRefs(shop, opts.productIds);
    this.fingerprintBefore = visualFingerprint(shop);
    this.previous = imageStates(shop);
    this.colourHashes = embeddingHashes(shop, COLOUR_MODEL_ID);
    this.modelHashes = model ? embeddingHashes(shop, model.id) : null;
    this.fetcher = new ImageFetcher({ baseDir: imageBaseDir(shop), ...opts.fetch });
    this.decodeSize = model ? model.spec.size : COLOUR_SIZE;
    this.batchSize = opts.batchSize ?? 16;
    const cores = Math.max(1, os.availableParallelism());
    this.decodeLimiter = new Limiter(Math.max(2, cores));
    this.productLimiter = new Limiter(Math.max(4, cores * 4));
  }

  private progress(phase: EmbedProgress["phase"] = "images"): void {
    const secs = (performance.now() - this.started) / 1000;
    this.opts.onProgress?.({
      phase,
      productsDone: this.productsDone,
      productsTotal: this.products.length,
      imagesDone: this.imagesDecoded,
      imagesFailed: this.imagesFailed,
      imagesPerSec: secs > 0 ? this.imagesDecoded / secs : 0,
    });
  }

  /**
   * Written in chunks as products finish: memory stays flat for large catalogs, and an interrupted
   * run keeps what it did (the next run skips those products by their hash).
   */
  private flush(all = false): void {
    if (!all && this.colourRows.length < FLUSH_EVERY) return;
    saveImageStates(this.shop, this.states);
    saveEmbeddings(this.shop, COLOUR_MODEL_ID, this.colourRows);
    if (this.model) saveEmbeddings(this.shop, this.model.id, this.modelRows);
    this.states.clear();
    this.colourRows.length = 0;
    this.modelRows.length = 0;
  }

  private skipUnchanged(): void {
    this.unchanged++;
    this.productsDone++;
    this.progress();
  }

  private finish(w: ProductWork): void {
    if (w.colours.length > 0) {
      const colour = poolProductVector(w.colours, w.positions);
      if (colour) this.colourRows.push({ productId: w.productId, vector: colour, imageHash: w.hash });
      if (this.model && w.needsModel) {
        const vs = w.vectors.filter((v): v is Float32Array => v !== null);
        const pooled = poolProductVector(vs, w.positions.filter((_, i) => w.vectors[i] !== null));
        if (pooled) this.modelRows.push({ productId: w.productId, vector: pooled, imageHash: w.hash });
      }
      this.embedded++;
    }
    this.productsDone++;
    this.progress();
    this.flush();
  }

  private notifyConsumer(): void {
    this.wakeConsumer?.();
    this.wakeConsumer = null;
  }

  private async enqueue(img: DecodedImage): Promise<void> {
    const maxQueued = this.batchSize * 4;
    while (this.ready.length >= maxQueued && !this.aborted) await new Promise<void>((r) => this.wakeProducers.push(r));
    if (this.aborted) return;
    this.ready.push(img);
    if (this.ready.length >= this.batchSize) this.notifyConsumer();
  }

  /** Known http images are not downloaded again unless forced (their URL carries the version): true when the stored vectors are current. */
  private knownUnchanged(p: ProductRef): boolean {
    const prev = this.previous.get(p.productId) ?? [];
    const known = p.refs.map((url, pos) => {
      const st = prev.find((x) => x.position === pos);
      return !this.force && st && st.url === url && st.status === "ok" && st.hash && isHttpUrl(url) ? st.hash : null;
    });
    if (p.refs.length === 0 || !known.every((h) => h !== null)) return false;
    const h = pooledHash(known as string[], this.framing);
    return this.colourHashes.get(p.productId) === h && (!this.modelHashes || this.modelHashes.get(p.productId) === h);
  }

  /** Fetches every image of the product: the row states, and the bytes of those that came. */
  private async fetchImages(p: ProductRef): Promise<{ rowStates: RowState[]; okImages: { pos: number; bytes: Buffer; hash: string }[] }> {
    const fetched = await Promise.all(p.refs.map((ref) => this.fetcher.fetch(ref)));
    const now = systemClock.now().toISOString();
    const rowStates: RowState[] = [];
    const okImages: { pos: number; bytes: Buffer; hash: string }[] = [];
    fetched.forEach((r, pos) => {
      if (r.ok) {
        okImages.push({ pos, bytes: r.bytes, hash: r.hash });
        rowStates.push({ position: pos, url: p.refs[pos], status: "ok", error: null, hash: r.hash, fetchedAt: now });
      } else {
        rowStates.push({ position: pos, url: p.refs[pos], status: "failed", error: r.reason, hash: null, fetchedAt: now });
      }
    });
    return { rowStates, okImages };
  }

  /** Decodes every fetched image; an undecodable one becomes a failure like a failed download. */
  private decodeImages(okImages: { pos: number; bytes: Buffer }[], rowStates: RowState[]): Promise<(SquareRgb | null)[]> {
    return Promise.all(
      okImages.map((img) =>
        this.decodeLimiter.run(async () => {
          try {
            return await decodeToSquare(img.bytes, this.decodeSize, this.framing);
          } catch (e) {
            const st = rowStates[img.pos];
            st.status = "failed";
            st.error = `cannot decode: ${(e as Error).message}`;
            return null;
          }
        }),
      ),
    );
  }

  private async handleProduct(p: ProductRef): Promise<void> {
    this.imagesTotal += p.refs.length;
    if (this.knownUnchanged(p)) return this.skipUnchanged();
    const { rowStates, okImages } = await this.fetchImages(p);
    const hash = pooledHash(okImages.map((i) => i.hash), this.framing);
    const colourSame = this.colourHashes.get(p.productId) === hash;
    const modelSame = !this.modelHashes || this.modelHashes.get(p.productId) === hash;
    if (!this.force && okImages.length > 0 && colourSame && modelSame && okImages.length === p.refs.length) {
      this.states.set(p.productId, rowStates);
      return this.skipUnchanged();
    }
    const decoded = await this.decodeImages(okImages, rowStates);
    const work: ProductWork = { productId: p.productId, positions: [], colours: [], vectors: [], pending: 0, hash: "", needsModel: !!this.model };
    const goodHashes: string[] = [];
    decoded.forEach((rgb, i) => {
      if (!rgb) return;
      work.positions.push(okImages[i].pos);
      work.colours.push(colourDescriptor(rgb));
      work.vectors.push(null);
      goodHashes.push(okImages[i].hash);
    });
    work.hash = pooledHash(goodHashes, this.framing);
    for (const st of rowStates) {
      if (st.status === "failed") {
        this.imagesFailed++;
        this.failures.push({ productId: p.productId, position: st.position, url: st.url, reason: st.error ?? "failed" });
      }
    }
    this.imagesDecoded += work.colours.length;
    this.states.set(p.productId, rowStates);
    if (work.colours.length === 0) this.withoutImage++;
    if (work.colours.length === 0 || !this.model) return this.finish(work);
    work.pending = work.colours.length;
    let slot = 0;
    for (const rgb of decoded) if (rgb) await this.enqueue({ work, slot: slot++, rgb });
  }

  private async produce(): Promise<void> {
    await Promise.all(this.products.map((p) => this.productLimiter.run(() => this.handleProduct(p))));
    this.producing = false;
    this.notifyConsumer();
  }

  private async consume(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const { batchSize } = this;
    const size = model.spec.size;
    // Two tensors: one being filled while the other is in inference.
    const buffers = [new Float32Array(batchSize * 3 * size * size), new Float32Array(batchSize * 3 * size * size)];
    let which = 0;
    for (;;) {
      if (this.ready.length < batchSize && this.producing) {
        await new Promise<void>((r) => (this.wakeConsumer = r));
        continue;
      }
      if (this.ready.length === 0) {
        if (!this.producing) break;
        continue;
      }
      const batch = this.ready.splice(0, batchSize);
      for (const w of this.wakeProducers.splice(0)) w();
      const tensor = buffers[which];
      which ^= 1;
      batch.forEach((img, i) => toTensor(img.rgb, model.spec, tensor, i));
      const vectors = await model.embed(tensor, batch.length);
      batch.forEach((img, i) => {
        img.work.vectors[img.slot] = vectors[i];
        if (--img.work.pending === 0) this.finish(img.work);
      });
    }
  }

  async embedAll(): Promise<void> {
    try {
      await Promise.all([this.produce(), this.consume()]);
    } catch (e) {
      // Inference failed (a model that does not fit): release the producers and report.
      this.aborted = true;
      for (const w of this.wakeProducers.splice(0)) w();
      throw e;
    }
    this.flush(true);
  }

  /** Which visual model the shop now serves, said in words when it is not the one of this run. */
  private recordStatus(): string | null {
    const { shop, model } = this;
    // The catalogue centre of the image model's space stays across runs (recordFusionWeight decides when to refit it).
    const centre = visualStatus(shop)?.centre;
    if (model) {
      saveVisualStatus(shop, { kind: "onnx", modelId: model.id, dim: model.dim, note: null, ...(centre?.modelId === model.id ? { centre } : {}) });
      return null;
    }
    // Without a model now, image-model vectors from earlier runs or an import may still serve.
    const earlier = activeVisualModel(shop);
    if (earlier?.kind === "onnx") {
      const note = `No image model is configured for this run: products embedded now have only the colour descriptor; image-model vectors of ${earlier.modelId} from earlier runs or an import still serve the others.`;
      saveVisualStatus(shop, { kind: "onnx", modelId: earlier.modelId, dim: earlier.dim, note, ...(centre?.modelId === earlier.modelId ? { centre } : {}) });
      return note;
    }
    saveVisualStatus(shop, { kind: "colour", modelId: COLOUR_MODEL_ID, dim: COLOUR_DIM, note: NO_MODEL_NOTE });
    return NO_MODEL_NOTE;
  }

  /** Stored status, the fusion weight, the index brought up to date; the run's result. */
  finishRun(log: (m: string) => void): EmbedResult {
    const { shop, model } = this;
    const pruned = pruneEmbeddings(shop);
    const note = this.recordStatus();
    // The colour weight against the image model, chosen on this shop's catalogue (fusion.ts); the index key carries it.
    const fusion = recordFusionWeight(shop);
    if (fusion) {
      const line = describeVisualFusion(shop);
      if (line) log(line);
      log(`visual space: image-model vectors power-normalised, ${fusion.centre ? `centred on the mean of ${fusion.centre.products} products (${fusion.centreRefitted ? "fitted now" : "kept from an earlier run"})` : `not centred (fewer than ${MIN_CENTRE_PRODUCTS} products)`}`);
    }
    this.progress("index");
    const changed = this.opts.productIds ? [...new Set([...this.opts.productIds, ...pruned])] : undefined;
    const index = refreshVisualIndex(shop, { force: this.force, changed, fingerprintBefore: this.fingerprintBefore });
    const { failures } = this;
    if (failures.length > 0) log(`${failures.length} image(s) failed; they are retried on the next run (first: ${failures[0].productId}: ${failures[0].reason})`);
    const seconds = (performance.now() - this.started) / 1000;
    return {
      shop,
      products: this.products.length,
      embedded: this.embedded,
      unchanged: this.unchanged,
      withoutImage: this.withoutImage,
      images: this.imagesTotal,
      imagesDecoded: this.imagesDecoded,
      imagesFailed: this.imagesFailed,
      failures,
      model: model
        ? { id: model.id, dim: model.dim, inputName: model.inputName, outputName: model.outputName, layout: model.spec.layout, size: model.spec.size, range: model.spec.range }
        : null,
      colourModelId: COLOUR_MODEL_ID,
      note,
      index,
      seconds,
      imagesPerSec: seconds > 0 ? this.imagesDecoded / seconds : 0,
    };
  }
}
