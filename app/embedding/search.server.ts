/**
 * Visual similarity for serving and the CLI: the shop's product vectors in one search space,
 * answered by the on-disk HNSW index (or an exact scan while the catalogue is small).
 *
 * The space: when an image model's vectors exist (computed by `facet embed` or imported
 * precomputed), each product's vector is the weighted concatenation
 *   sqrt(1 - w) * space(model_vector)  ++  sqrt(w) * colour_descriptor,
 * space() = power-normalised and centred on the shop's catalogue mean (space.ts; the centre is
 * fitted by the embed job with the weight and named in the index key),
 * w = the shop's colour weight chosen on its own catalogue by the embed job (fusion.ts,
 * chooseColourWeight: mean average precision of the shop's categories over leave-one-out
 * rankings; stored in the visual status, named in the index key and the serving bundle),
 * COLOUR_WEIGHT_WITH_MODEL until it has been measured,
 * L2-normalised, so that cosine = (1 - w) * model cosine + w * colour cosine: the model decides
 * shape and kind, the colour descriptor adds the metal/stone colour the model is partly blind to.
 * Then, when the embed job chose it on the shop's catalogue (same criterion, augment.ts), each
 * product's fused vector is averaged with its k nearest neighbours' (database-side augmentation).
 * Without an image model the colour descriptor alone is the space, and this is said once in the
 * log and stored for the admin (visualStatus(shop).note).
 */
import type { Catalog, VectorSearch } from "../recommend/types";
import { embeddingFingerprint, embeddingModels, loadLiveEmbeddings, saveVisualStatus, visualStatus } from "../models/embedding.server";
import { loadCatalog } from "../models/catalog.server";
import { COLOUR_DIM, COLOUR_MODEL_ID } from "./colour";
import { patchIndex, ProductVectorIndex, syncIndex, type SyncStats } from "./index";
import { concatWeighted } from "./pool";
import { installSharedIndex, publishSharedIndex } from "./sharedIndex.server";
import { chooseColourWeight, DEFAULT_COLOUR_WEIGHT, type FusionChoice } from "./fusion";
import { augmentWithNeighbours, MAX_AUGMENT_PRODUCTS } from "./augment";
import { centreStillFits, decodeCentre, encodeCentre, fitCentre, SPACE_VERSION, toSearchSpace, type Centre } from "./space";

/** Share of the colour descriptor in the combined cosine when an image model is present and the shop's own weight was not measured yet. */
export const COLOUR_WEIGHT_WITH_MODEL = DEFAULT_COLOUR_WEIGHT;

export const COLOUR_ONLY_NOTE =
  "Visual similarity uses the colour descriptor only: no image model vectors exist for this shop (set IMAGE_MODEL_PATH or the shop's image.model setting and run `facet embed`).";

export interface ActiveVisualModel {
  modelId: string;
  kind: "onnx" | "colour";
  dim: number;
  /** The colour descriptor's share in the fused cosine (onnx kind): the shop's measured weight, else the default. */
  colourWeight: number;
  /** The shop's catalogue mean the model vectors are centred on (space.ts); null when none was fitted. */
  centre: Centre | null;
  /** Neighbours each fused vector is averaged with (augment.ts), chosen by the embed job; 0 = none. */
  augment: number;
}

/**
 * The visual signal serving uses: the image model recorded by the last embed run when its vectors
 * exist, else the image model (computed or imported) with the most vectors, else the colour
 * descriptor; null when the shop has no vectors at all.
 */
export function activeVisualModel(shop: string): ActiveVisualModel | null {
  const models = embeddingModels(shop).filter((m) => m.count > 0);
  const status = visualStatus(shop);
  const imageModels = models.filter((m) => m.modelId !== COLOUR_MODEL_ID);
  const recorded = status?.kind === "onnx" ? imageModels.find((m) => m.modelId === status.modelId) : undefined;
  const image = recorded ?? [...imageModels].sort((a, b) => b.count - a.count || a.modelId.localeCompare(b.modelId))[0];
  const measured = status?.colourWeight;
  const colourWeight = typeof measured === "number" && measured >= 0 && measured <= 1 ? measured : COLOUR_WEIGHT_WITH_MODEL;
  if (image) {
    const centre = status?.centre?.modelId === image.modelId ? decodeCentre(status.centre) : null;
    const augment = Number.isInteger(status?.augment) && status!.augment! > 0 ? status!.augment! : 0;
    return { modelId: image.modelId, kind: "onnx", dim: image.dim, colourWeight, centre: centre && centre.dim === image.dim ? centre : null, augment };
  }
  const colour = models.find((m) => m.modelId === COLOUR_MODEL_ID);
  return colour ? { modelId: COLOUR_MODEL_ID, kind: "colour", dim: colour.dim, colourWeight: 1, centre: null, augment: 0 } : null;
}

/** The fusion choice with the centre of the model's space it was made in. */
export interface VisualSpaceChoice extends FusionChoice {
  centre: Centre | null;
  /** True when the centre was fitted in this call (false: kept from an earlier run, or none). */
  centreRefitted: boolean;
  /** False when the shop has more than MAX_AUGMENT_PRODUCTS products (no augmentation measured or used). */
  augmentable: boolean;
}

/**
 * Fits (or keeps) the centre of the image model's space on the shop's live products (space.ts),
 * then chooses the shop's colour weight in that space (fusion.ts: mean average precision of the
 * shop's categories over leave-one-out rankings), and stores both with the visual status; null when the shop has no
 * image-model vectors.
 */
export function recordFusionWeight(shop: string): VisualSpaceChoice | null {
  const active = activeVisualModel(shop);
  const status = visualStatus(shop);
  if (!active || active.kind !== "onnx" || !status) return null;
  const image = loadLiveEmbeddings(shop, active.modelId);
  const colour = loadLiveEmbeddings(shop, COLOUR_MODEL_ID);
  let centre = active.centre;
  let centreRefitted = false;
  if (!centreStillFits(centre, active.modelId, active.dim, image.size)) {
    centre = fitCentre([...image.values()].map((e) => e.vector).filter((v) => v.length === active.dim), active.modelId);
    centreRefitted = centre !== null;
  }
  const catalog = loadCatalog(shop);
  const ids = catalog.ids.filter((id) => image.has(id) && colour.has(id));
  const category = new Map(catalog.ids.map((id, i) => [id, catalog.category[i] || null]));
  // Neighbour augmentation scans all live products per product: only up to MAX_AUGMENT_PRODUCTS.
  const augmentable = image.size <= MAX_AUGMENT_PRODUCTS;
  const choice = chooseColourWeight(
    ids.map((id) => toSearchSpace(image.get(id)!.vector, centre)),
    ids.map((id) => colour.get(id)!.vector),
    ids.map((id) => category.get(id) ?? null),
    augmentable ? {} : { augmentGrid: [0] },
  );
  const { updatedAt: _, centre: __, augment: ___, ...rest } = status;
  saveVisualStatus(shop, {
    ...rest,
    colourWeight: choice.weight,
    augment: choice.augment,
    fusion: { chosenBy: choice.chosenBy, criterion: choice.criterion, products: choice.products, sweep: choice.sweep, augmentSweep: choice.augmentSweep },
    ...(centre ? { centre: encodeCentre(centre) } : {}),
  });
  return { ...choice, centre, centreRefitted, augmentable };
}

/**
 * One line for the embed and train logs: the shop's colour weight and how it was chosen (from the
 * stored visual status); null without image-model vectors.
 */
export function describeVisualFusion(shop: string): string | null {
  const active = activeVisualModel(shop);
  if (!active || active.kind !== "onnx") return null;
  const f = visualStatus(shop)?.fusion;
  const pct = (x: number | undefined) => (x === undefined ? "?" : `${(x * 100).toFixed(1)} %`);
  let how: string;
  if (!f) how = "default: not measured yet (run `facet embed`)";
  else if (f.chosenBy === "default") how = `default: too few labelled products (${f.products}) or a single category to measure`;
  else {
    const at = (w: number) => f.sweep.find((s) => s.weight === w);
    const chosen = at(active.colourWeight);
    const zero = at(0);
    const criterion = f.criterion === "category-map" ? "mean average precision of the shop's categories" : "same-category agreement of nearest neighbours";
    how =
      `chosen on ${f.products} products by ${criterion} (leave-one-out): mAP ${pct(chosen?.map)}, nearest neighbour same category ${pct(chosen?.agreement)}` +
      (zero && active.colourWeight !== 0 ? `; image model alone: mAP ${pct(zero.map)}, nearest ${pct(zero.agreement)}` : "");
  }
  const aug = f?.augmentSweep?.find((s) => s.weight === active.augment);
  const plain = f?.augmentSweep?.find((s) => s.weight === 0);
  const augment =
    active.augment > 0
      ? `; each vector averaged with its ${active.augment} nearest neighbours (mAP ${pct(aug?.map)} against ${pct(plain?.map)} without, nearest ${pct(aug?.agreement)})`
      : f?.augmentSweep && f.augmentSweep.length > 1
        ? "; no neighbour augmentation (it did not raise the mAP)"
        : `; no neighbour augmentation (not measured: more than ${MAX_AUGMENT_PRODUCTS} products, or too few labelled)`;
  return `visual fusion: colour weight ${active.colourWeight} (${how})${augment}`;
}

/** What the model version stores about the visual space it was trained with (train job); null without image-model vectors. */
export function visualFusionRecord(shop: string): { key: string; colourWeight: number; augment: number; chosenBy: string; criterion: string | null; products: number } | null {
  const active = activeVisualModel(shop);
  if (!active || active.kind !== "onnx") return null;
  const f = visualStatus(shop)?.fusion;
  return { key: visualKey(active), colourWeight: active.colourWeight, augment: active.augment, chosenBy: f?.chosenBy ?? "default", criterion: f?.criterion ?? null, products: f?.products ?? 0 };
}

/** The index key (file name) of a space. */
export function visualKey(active: ActiveVisualModel): string {
  if (active.kind === "colour") return COLOUR_MODEL_ID;
  const space = `${SPACE_VERSION}${active.centre ? `-c${active.centre.hash}` : ""}${active.augment > 0 ? `-a${active.augment}` : ""}`;
  return `${active.modelId}~${space}+${COLOUR_MODEL_ID}@${active.colourWeight}`;
}

/** A plain sentence for the admin and the log when only the colour descriptor is used; null otherwise. */
export function visualNote(shop: string): string | null {
  const active = activeVisualModel(shop);
  return active?.kind === "colour" ? COLOUR_ONLY_NOTE : null;
}

/**
 * The live products' vectors (of `productIds` only, when given) in the space of `active`. With
 * neighbour augmentation the neighbours are searched among all live products, so all are read;
 * a product patched in alone is augmented with its current neighbours, while the others keep
 * theirs until the next full rebuild (as with the centre: the index is patched, not rebuilt).
 */
export function visualVectors(shop: string, active: ActiveVisualModel, productIds?: string[]): { productId: string; vector: Float32Array }[] {
  const augment = active.kind === "onnx" ? active.augment : 0;
  const read = augment > 0 ? undefined : productIds;
  const colour = loadLiveEmbeddings(shop, COLOUR_MODEL_ID, read);
  if (active.kind === "colour") return [...colour.values()].map((e) => ({ productId: e.productId, vector: e.vector }));
  const image = loadLiveEmbeddings(shop, active.modelId, read);
  const w = active.colourWeight;
  const ids = [...new Set([...image.keys(), ...colour.keys()])].sort();
  const fused = ids.map((productId) => {
    const model = image.get(productId)?.vector;
    return concatWeighted(
      [model && model.length === active.dim ? toSearchSpace(model, active.centre) : null, colour.get(productId)?.vector ?? null],
      [active.dim, COLOUR_DIM],
      [1 - w, w],
    );
  });
  if (augment === 0) return ids.map((productId, i) => ({ productId, vector: fused[i] }));
  const wanted = productIds ? new Set(productIds) : null;
  const rows = ids.flatMap((id, i) => (!wanted || wanted.has(id) ? [i] : []));
  const augmented = augmentWithNeighbours(fused, augment, rows);
  return rows.map((i, r) => ({ productId: ids[i], vector: augmented[r] }));
}

function fingerprintOf(shop: string, active: ActiveVisualModel): string {
  const ids = active.kind === "colour" ? [COLOUR_MODEL_ID] : [active.modelId, COLOUR_MODEL_ID];
  return `${visualKey(active)}#${embeddingFingerprint(shop, ids)}`;
}

/** The freshness token of the shop's visual vectors now (taken before a change, see refreshVisualIndex). */
export function visualFingerprint(shop: string): string | null {
  const active = activeVisualModel(shop);
  return active ? fingerprintOf(shop, active) : null;
}

export interface RefreshOptions {
  /** Rebuild from scratch. */
  force?: boolean;
  /**
   * Only these products changed (added, re-embedded, deleted) since `fingerprintBefore` was taken:
   * when the index on disk was current then, only their vectors are read and patched in.
   */
  changed?: string[];
  fingerprintBefore?: string | null;
}

/** Brings the shop's visual index up to date (incrementally unless forced); null when there are no vectors. */
export function refreshVisualIndex(shop: string, opts: RefreshOptions = {}): SyncStats | null {
  const active = activeVisualModel(shop);
  if (!active) return null;
  const fingerprint = fingerprintOf(shop, active);
  const key = visualKey(active);
  if (!opts.force) {
    let existing = ProductVectorIndex.load(shop, key);
    // Another machine may have built it already (database artifact store): install its copy.
    if (existing?.meta.fingerprint !== fingerprint && installSharedIndex(shop, key, fingerprint)) existing = ProductVectorIndex.load(shop, key);
    if (existing && existing.meta.fingerprint === fingerprint) {
      return { key, total: existing.size, added: 0, updated: 0, removed: 0, rebuilt: false, projected: existing.projection !== null, ms: 0 };
    }
    if (opts.changed && opts.fingerprintBefore) {
      const upserts = visualVectors(shop, active, opts.changed);
      const live = new Set(upserts.map((u) => u.productId));
      const removed = opts.changed.filter((id) => !live.has(id));
      const patched = patchIndex(shop, key, upserts, removed, { expectFingerprint: opts.fingerprintBefore, fingerprint });
      if (patched) {
        publishSharedIndex(shop, key, fingerprint);
        return patched.stats;
      }
    }
  }
  const stats = syncIndex(shop, key, visualVectors(shop, active), { force: opts.force, fingerprint }).stats;
  publishSharedIndex(shop, key, fingerprint);
  return stats;
}

/** VectorSearch plus what the CLI and the admin show, and a filtered search. */
export interface VisualSearch extends VectorSearch {
  modelId: string;
  kind: "onnx" | "colour";
  key: string;
  note: string | null;
  /** True when queries scan all vectors (small catalogue), false when they walk the HNSW graph. */
  exact: boolean;
  /** Like search, but only items for which `accept` holds. */
  searchWhere(query: Float32Array, k: number, accept: (item: number) => boolean): { item: number; score: number }[];
}

const notedShops = new Set<string>();

/**
 * The shop's visual search over the catalogue's dense indices, or null when the shop has no
 * vectors. Loads the on-disk index and brings it up to date first when the vectors changed since
 * it was written. Queries and vectors are in the stored space (`dim`); a projection is internal.
 */
export async function loadVisualSearch(shop: string, catalog: Catalog): Promise<VisualSearch | null> {
  const active = activeVisualModel(shop);
  if (!active) return null;
  const key = visualKey(active);
  const fingerprint = fingerprintOf(shop, active);
  let index = ProductVectorIndex.load(shop, key);
  if (index?.meta.fingerprint !== fingerprint && installSharedIndex(shop, key, fingerprint)) index = ProductVectorIndex.load(shop, key);
  if (!index || index.meta.fingerprint !== fingerprint) {
    index = syncIndex(shop, key, visualVectors(shop, active), { fingerprint }).index;
    publishSharedIndex(shop, key, fingerprint);
  }
  const note = active.kind === "colour" ? COLOUR_ONLY_NOTE : null;
  if (note && !notedShops.has(shop)) {
    notedShops.add(shop);
    // No "[" or "{" at the start: scripts find --json output after log lines by its first such line.
    console.error(`visual similarity, ${shop}: ${note}`);
  }
  const labels = index.meta.labels;
  const labelToItem = new Int32Array(labels.length).fill(-1);
  const itemToLabel = new Int32Array(catalog.ids.length).fill(-1);
  labels.forEach((id, label) => {
    if (id === null) return;
    const item = catalog.index.get(id);
    if (item === undefined) return;
    labelToItem[label] = item;
    itemToLabel[item] = label;
  });
  const idx = index;
  // Labels of products missing from this catalogue (deleted since the index was written) need a filter.
  const allMapped = labels.every((id, label) => id === null || labelToItem[label] >= 0);
  const searchWhere = (query: Float32Array, k: number, accept: ((item: number) => boolean) | null) =>
    idx
      .search(
        query,
        k,
        accept === null && allMapped
          ? undefined
          : (label) => {
              const item = labelToItem[label];
              return item >= 0 && (accept === null || accept(item));
            },
      )
      .map((r) => ({ item: labelToItem[r.label], score: r.score }));
  return {
    dim: idx.dim,
    modelId: active.modelId,
    kind: active.kind,
    key,
    note,
    exact: idx.usesExact,
    search: (query, k, exclude) => searchWhere(query, k, exclude && exclude.size > 0 ? (item) => !exclude.has(item) : null),
    searchWhere,
    vector: (item) => {
      const label = item >= 0 && item < itemToLabel.length ? itemToLabel[item] : -1;
      return label >= 0 ? idx.vectorOfLabel(label) : null;
    },
    // A projected index has compact vectors in memory (the graph's); without a projection the
    // stored vectors are the graph's already, so there is nothing more compact to offer.
    ...(idx.projection
      ? {
          compact: (item: number) => {
            const label = item >= 0 && item < itemToLabel.length ? itemToLabel[item] : -1;
            return label >= 0 ? idx.graphVectorOfLabel(label) : null;
          },
        }
      : {}),
  };
}
