/**
 * The request-to-list path: a request (placement, customer, product, cart, limit, language) against
 * the shop's snapshot, answered as JSON-ready products with reasons (rendered and as codes), the
 * model version and a recommendation id for attribution. `respond` is synchronous and pure over a
 * snapshot: the API, the CLI and the batch all call it, so their lists are the same by construction.
 *
 * Experiments: when the snapshot holds a running experiment for the placement, the shopper
 * (customer id, else the anonymous client id) is assigned a variant (sticky hash); the variant's
 * settings override the placement's for this request, a holdout gets an empty list, and the answer
 * names the experiment and variant (also inside the recommendation id, so the block events carry
 * them). `recommendFor` records the shopper's first exposure through a buffer (exposures.server.ts)
 * that flushes off the request path. A customer who opted out of personalisation is never assigned:
 * the answer is the placement's own, without an experiment, and no exposure is recorded.
 */
import { randomUUID } from "node:crypto";
import { reasonText, reasonTexts, type ShopperLanguage } from "./reasonText";
import type { Placement, Reason } from "../recommend/types";
import { PLACEMENTS } from "../recommend/types";
import { contextFor } from "../recommend/context";
import { recommend } from "../recommend/pipeline";
import type { PlacementSettings } from "../recommend/settings";
import { assignmentFor, experimentFor, experimentRecommendationId } from "../recommend/experiments/serving";
import { bufferExposure } from "../experiments/exposures.server";
import { imageSrc } from "./images.server";
import { answerKey, cachedAnswer, storeAnswer } from "./answerCache.server";
import { getSnapshot, type Snapshot } from "./snapshot.server";
import { systemClock } from "../clock";

export const DEFAULT_LIMIT = 8;
export const MAX_LIMIT = 50;

export interface RecommendRequest {
  shop: string;
  placement: Placement;
  customerId?: string | null;
  productId?: string | null;
  cart?: string[];
  limit?: number;
  /** The language of the reasons: en, de, fr or it (app/serving/reasonText.ts). */
  locale?: ShopperLanguage;
  gift?: boolean;
  /** An anonymous session's latest viewed product ids, oldest first. */
  recent?: string[];
  /** Epoch ms; default: the clock. */
  now?: number;
  /**
   * The anonymous shopper's stable id (the storefront's first-party client id): assigns a variant of
   * a running experiment when there is no customer id.
   */
  clientId?: string | null;
  /** false: answer with the placement's own settings, outside any experiment (batch exports, campaigns). Default true. */
  experiments?: boolean;
  /**
   * Unsaved settings of the placement (the admin's live preview beside its settings form): used
   * instead of the saved ones, outside experiments, never cached.
   */
  settings?: Partial<PlacementSettings>;
}

export interface ReasonOut {
  code: string;
  source: string;
  text: string;
  params?: Record<string, string | number>;
}

export interface RecommendedProduct {
  id: string;
  title: string;
  price: number;
  currency: string;
  image: string;
  handle: string | null;
  url: string | null;
  score: number;
  /** Rendered reasons, strongest first, distinct. */
  reasons: string[];
  /** The same reasons as codes (for clients that render their own text). */
  reasonCodes: ReasonOut[];
}

export interface RecommendResponse {
  shop: string;
  placement: Placement;
  locale: ShopperLanguage;
  modelVersion: string | null;
  recommendationId: string;
  products: RecommendedProduct[];
  /** The running experiment this answer was served under, and the shopper's variant; null outside experiments. */
  experiment: { id: string; variant: string; holdout: boolean } | null;
}

/** Bad input from a client: the API answers `status` with the message. */
export class RecommendInputError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** Scores are rounded to 6 decimals in every output (API, CLI, batch) so that they compare equal. */
export function roundScore(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function validateRequest(req: RecommendRequest): void {
  if (!PLACEMENTS.includes(req.placement)) throw new RecommendInputError(`placement must be one of ${PLACEMENTS.join(", ")} (got ${JSON.stringify(req.placement)})`);
  const limit = req.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RecommendInputError(`limit must be an integer 1..${MAX_LIMIT} (got ${JSON.stringify(req.limit)})`);
  if (req.placement === "product" && !req.productId) throw new RecommendInputError("placement=product needs product_id (the product being viewed)");
  if (req.placement === "cart" && !(req.cart?.length || req.productId)) throw new RecommendInputError("placement=cart needs cart=<product ids, comma-separated>");
}

/** The list for one request against a snapshot (synchronous; no I/O). */
export function respond(snapshot: Snapshot, req: RecommendRequest, recommendationId: string = randomUUID()): RecommendResponse {
  validateRequest(req);
  const w = snapshot.world;
  if (req.productId && !w.catalog.index.has(req.productId)) {
    throw new RecommendInputError(`product ${JSON.stringify(req.productId)} is not in the catalogue of ${snapshot.shop}`, 404);
  }
  const locale = req.locale ?? "en";
  const now = req.now ?? w.now;
  // A customer who opted out of personalisation is in no experiment: the placement's own
  // (non-personalised) answer, no variant, so no exposure row (the privacy page's promise). The
  // profile is looked up only when an experiment runs on this placement (not on every request).
  const running = req.experiments === false || req.settings ? null : experimentFor(snapshot.experiments?.running ?? [], req.placement, now);
  const exp = running && req.customerId && w.profiles.get(req.customerId)?.optOut === true ? null : running;
  const assigned = assignmentFor(exp, req.customerId, req.clientId);
  const experiment = assigned ? { id: assigned.experimentId, variant: assigned.variant.id, holdout: assigned.variant.holdout === true } : null;
  const id = experimentRecommendationId(recommendationId, assigned && { experimentId: assigned.experimentId, variant: assigned.variant.id });
  const cart = req.placement === "cart" && !req.cart?.length && req.productId ? [req.productId] : req.cart ?? [];
  const ctx = contextFor(w, {
    placement: req.placement,
    customerId: req.customerId ?? null,
    productId: req.placement === "cart" && !req.cart?.length ? null : req.productId ?? null,
    cart,
    now: req.now,
    gift: req.gift,
    locale: locale === "de" ? "de" : "en", // the engine's own languages; fr and it are rendered from the same codes
    recent: req.recent,
    liveEvents: req.customerId ? snapshot.live.get(req.customerId) : undefined,
  });
  const overrides = req.settings ?? (assigned?.variant.settings as Partial<PlacementSettings> | undefined);
  const k = req.limit ?? DEFAULT_LIMIT;
  // Answers that are not personal come from the cache (app/serving/answerCache.server.ts).
  const base = experiment?.holdout || req.settings
    ? null
    : answerKey(w, ctx, {
        shop: snapshot.shop,
        snapshot,
        experimentsStamp: snapshot.experiments?.stamp ?? "",
        variant: experiment ? `${experiment.id}:${experiment.variant}` : null,
        k,
        recent: req.recent,
        cart,
        productId: req.productId,
      });
  const key = base && locale !== ctx.locale ? `${base}\u0000${locale}` : base;
  const cacheNow = ctx.now;
  let products = key ? cachedAnswer<RecommendedProduct[]>(key, snapshot.shop, snapshot, cacheNow) : undefined;
  if (!products) {
    products = productsOf(snapshot, experiment?.holdout ? [] : recommend(w, ctx, k, overrides), locale);
    if (key) storeAnswer(key, snapshot.shop, snapshot, cacheNow, products);
  }
  return {
    shop: snapshot.shop,
    placement: req.placement,
    locale,
    modelVersion: snapshot.modelVersion,
    recommendationId: id,
    experiment,
    products,
  };
}

function productsOf(snapshot: Snapshot, recs: ReturnType<typeof recommend>, locale: ShopperLanguage): RecommendedProduct[] {
  const c = snapshot.world.catalog;
  return recs.map((r) => ({
      id: c.ids[r.item],
      title: c.title[r.item],
      price: c.price[r.item],
      currency: snapshot.currency,
      image: imageSrc(snapshot.shop, c.ids[r.item], c.imageUrl[r.item]) ?? "",
      handle: c.handle[r.item],
      url: c.handle[r.item] ? `/products/${c.handle[r.item]}` : null,
      score: roundScore(r.score),
      reasons: reasonTexts(r.reasons, locale),
      reasonCodes: distinctReasons(r.reasons).map((x) => ({ code: x.code, source: x.source, text: reasonText(x, locale), ...(x.params ? { params: x.params } : {}) })),
    }));
}

function distinctReasons(reasons: Reason[], max = 3): Reason[] {
  const seen = new Set<string>();
  const out: Reason[] = [];
  for (const r of reasons) {
    const key = `${r.code}|${JSON.stringify(r.params ?? {})}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
    if (out.length >= max) break;
  }
  return out;
}

/** The list for one request against the shop's current snapshot. */
export async function recommendFor(req: RecommendRequest): Promise<RecommendResponse> {
  const now = req.now ?? systemClock.nowMs();
  const snapshot = await getSnapshot(req.shop, now);
  const answer = respond(snapshot, { ...req, now });
  if (answer.experiment) bufferExposure(req.shop, answer.experiment.id, (req.customerId || req.clientId)!, answer.experiment.variant, now);
  return answer;
}
