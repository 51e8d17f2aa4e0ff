/**
 * Train-time tuning of each placement's blend (issue 14, points 3 and 5): on the collaborative
 * tuner's validation slice (cf/tune.ts: a world built from the slice's inner training events at
 * the slice's cut, scored on the validation customers' first new purchases after it), a coordinate
 * search over the placement's source weights (recent popularity, popularity and the collaborative
 * source included), then the guard (blendGuard.ts): the chosen blend against every single source
 * alone, and the placement falls back to the best source when that one is better on validation.
 *
 * What this decides is stored with the model version (parameters.blend) and applied when serving
 * (tunedSettings, blendGuardsOf); `blendNotes` says it in plain words for the admin.
 *
 * Placements tuned: those whose request is the customer alone (home, general). The product and
 * cart placements are anchored on a product or a cart that the validation slice does not have.
 * Pure: no I/O; the clock is injected for the budget.
 */
import { guardNote, guardPlacement, type PlacementGuard } from "../blendGuard";
import type { InnerModel } from "../cf/tune";
import { bootstrapMean, sampleWithoutReplacement } from "../eval/bootstrap";
import { ndcgAtK, meanOf } from "../eval/metrics";
import { searchSettings, type Knob } from "../eval/tuning";
import type { PlacementSettings, ShopSettings } from "../settings";
import type { Catalog, CustomerProfile, Placement, SourceName, VectorSearch } from "../types";
import { buildWorld } from "../buildWorld";
import { contextFor } from "../context";
import { recommend } from "../pipeline";
import { type World } from "../world";

export const TUNED_PLACEMENTS: Placement[] = ["home", "general"];
/** Sources the search may add to a placement (besides those it already uses). */
export const BLEND_SOURCES: SourceName[] = ["collaborative", "recency", "recent-popularity", "popularity", "demographic", "bought-together"];
export const BLEND_WEIGHT_VALUES = [0, 0.1, 0.25, 0.5, 1];

export interface PlacementBlendTuning {
  /** The placement's weights before tuning (the shop's settings over the defaults). */
  defaults: Partial<Record<SourceName, number>>;
  defaultScore: number;
  /** The weights served (before the guard). */
  chosen: Partial<Record<SourceName, number>>;
  chosenScore: number;
  /** Each single source alone (weights {source: 1}) on the same customers. */
  sourceScores: Partial<Record<SourceName, number>>;
  /** Set when a single source beats the chosen blend on validation: served alone. */
  guard: PlacementGuard | null;
  trials: number;
  /** The searched weights against the defaults on the confirmation customers (absent: the search kept the defaults, or no noise test). */
  confirmation?: BlendConfirmation;
}

/** Paired bootstrap of the searched weights' per-customer gain over the defaults. */
export interface BlendConfirmation {
  users: number;
  gain: number;
  lo: number;
  hi: number;
  /** False: within noise, the defaults are served. */
  kept: boolean;
}

/** The recent-popularity window chosen on validation (the recent-popularity source alone, each window). */
export interface WindowTuning {
  defaultDays: number;
  chosenDays: number;
  /** NDCG of the recent-popularity source alone per window (days), on the first tuned placement. */
  scores: Record<string, number>;
}

/** Recent-popularity windows (days) the tuner tries, besides the shop's own. */
export const RECENT_WINDOW_DAYS = [7, 14, 30, 60];

export interface BlendTuning {
  objective: string;
  /** How a gain was told from noise (absent: the plain comparison with minGain). */
  acceptance?: string;
  /** Set when the recent-popularity window was tuned (a world per window was given): served as global.recentPopularityDays. */
  recentWindow?: WindowTuning;
  validationUsers: number;
  placements: Partial<Record<Placement, PlacementBlendTuning>>;
  spentSeconds: number;
  stoppedByBudget: boolean;
  skipped?: string;
}

export interface BlendValidationUser {
  id: string;
  relevant: ReadonlySet<number>;
}

export interface TuneBlendOptions {
  k?: number;
  /** Milliseconds, any origin. */
  clock: () => number;
  budgetSeconds: number;
  /** A change of weights must gain this much NDCG to be kept (and beat the noise, `noise`). */
  minGain?: number;
  /** A single source must beat the blend by more than this to take the placement over (and beat the noise). */
  guardMargin?: number;
  /**
   * How a gain is told from noise: a move away from the current configuration (another window,
   * starting from the best single source, each change of weights, the guard's fallback) is kept only
   * when the lower bound of the paired bootstrap interval of the per-customer NDCG differences is
   * above zero. Default: 95 % two-sided interval, 1,000 resamples. `false`: the plain comparison with
   * minGain (before 0141's follow-up; measured to tune into noise on ~300 customers).
   */
  noise?: NoiseTest | false;
  placements?: Placement[];
  log?: (message: string) => void;
  /** Fewer validation customers than this: nothing is tuned (too noisy). */
  minUsers?: number;
  /**
   * The same validation world with another recent-popularity window (global.recentPopularityDays):
   * given, the window is chosen first (RECENT_WINDOW_DAYS and the shop's own, by the source alone),
   * and the weights are searched in the chosen world.
   */
  worldWithWindow?: (days: number) => World;
  windowDays?: number[];
  /**
   * Customers the searched weights and the guard are confirmed on (default: `users`); the slice's
   * validation customers, of whom `users` is the sample the search runs on.
   */
  confirmUsers?: readonly BlendValidationUser[];
}

export interface NoiseTest {
  /** Two-sided level of the interval whose lower bound must be above zero (0.05: 95 %). */
  alpha: number;
  samples: number;
  seed: number;
}

export const DEFAULT_NOISE_TEST: NoiseTest = { alpha: 0.05, samples: 1000, seed: 11 };

/**
 * Whether `candidate` beats `incumbent` beyond noise: both are per-customer NDCGs over the same
 * validation customers in the same order; the lower bound of the paired bootstrap interval of the
 * mean difference must be above zero. On ~300 customers a gain of a few thousandths is noise.
 */
export function beyondNoise(candidate: readonly number[], incumbent: readonly number[], test: NoiseTest = DEFAULT_NOISE_TEST): boolean {
  if (candidate.length !== incumbent.length) throw new Error(`beyondNoise: ${candidate.length} against ${incumbent.length} customers; both must be scored on the same customers`);
  const diffs = candidate.map((v, i) => v - incumbent[i]);
  const iv = bootstrapMean(diffs, { alpha: test.alpha, samples: test.samples, seed: test.seed });
  return iv.lo > 0;
}

/** Per validation customer, NDCG@k of a placement with the given weights (the rest of its settings as configured). */
export function placementNdcgs(world: World, placement: Placement, users: readonly BlendValidationUser[], now: number, k: number, weights?: Partial<Record<SourceName, number>>): number[] {
  const out: number[] = [];
  for (const u of users) {
    const ctx = contextFor(world, { placement, customerId: u.id, now });
    const recs = recommend(world, ctx, k, weights ? { weights } : undefined);
    out.push(ndcgAtK(recs.map((r) => r.item), u.relevant, k));
  }
  return out;
}

/** NDCG@k of a placement with the given weights (the mean of placementNdcgs). */
export function placementNdcg(world: World, placement: Placement, users: readonly BlendValidationUser[], now: number, k: number, weights?: Partial<Record<SourceName, number>>): number {
  return meanOf(placementNdcgs(world, placement, users, now, k, weights));
}

/**
 * Tunes the placements' weights on `world` (built from the validation slice's inner training part)
 * for `users` (the slice's customers), requests at `now` (the slice's cut).
 */
// eslint-disable-next-line max-lines-per-function -- window choice, per-placement search, confirmation and guard share one budget and memo; split planned (docs/decisions/0190)
export function tuneBlends(world0: World, users: readonly BlendValidationUser[], now: number, opts: TuneBlendOptions): BlendTuning {
  const k = opts.k ?? 10;
  const confirmUsers = opts.confirmUsers ?? users;
  const log = opts.log ?? (() => {});
  let world = world0;
  const start = opts.clock();
  const spent = () => (opts.clock() - start) / 1000;
  const result: BlendTuning = { objective: `ndcg@${k}`, validationUsers: users.length, placements: {}, spentSeconds: 0, stoppedByBudget: false };
  if (users.length < (opts.minUsers ?? 30)) {
    result.skipped = `${users.length} validation customers: too few to choose blend weights; the shop's weights are kept`;
    log(`tune blend: ${result.skipped}`);
    return result;
  }
  const placements = opts.placements ?? TUNED_PLACEMENTS;
  const minGain = opts.minGain ?? 0.001;
  const noise = opts.noise === false ? null : (opts.noise ?? DEFAULT_NOISE_TEST);
  // A move from `incumbent` to `candidate` (per-customer NDCGs): a gain of minGain, beyond noise.
  if (noise)
    result.acceptance = `another window, and the searched weights against the shop's, are kept when they gain ${minGain} and the ${Math.round((1 - noise.alpha) * 100)} % paired bootstrap interval of the per-customer gain is above zero (weights on ${confirmUsers.length} customers)`;
  const beats = (candidate: readonly number[], incumbent: readonly number[], margin = minGain): boolean =>
    meanOf(candidate) > meanOf(incumbent) + margin && (noise === null || beyondNoise(candidate, incumbent, noise));
  if (opts.worldWithWindow && placements.length) {
    // A seasonal shop (gifts before Christmas) is read better over its last two weeks than its last
    // two months, a slow one the other way: the window whose bestsellers alone rank best wins; the
    // shop's own window stays unless another beats it by minGain, beyond noise.
    const own = world.settings.global.recentPopularityDays;
    const scores: Record<string, number> = {};
    const ownPer = placementNdcgs(world, placements[0], users, now, k, { "recent-popularity": 1 });
    let best = { days: own, score: meanOf(ownPer), per: ownPer, world };
    scores[String(own)] = best.score;
    for (const days of opts.windowDays ?? RECENT_WINDOW_DAYS) {
      if (String(days) in scores || spent() >= opts.budgetSeconds) continue;
      const w = opts.worldWithWindow(days);
      const per = placementNdcgs(w, placements[0], users, now, k, { "recent-popularity": 1 });
      const v = meanOf(per);
      scores[String(days)] = v;
      if (beats(per, best.per)) best = { days, score: v, per, world: w };
    }
    world = best.world;
    result.recentWindow = { defaultDays: own, chosenDays: best.days, scores };
    log(`tune blend: recent-popularity window ${Object.entries(scores).map(([d, v]) => `${d} d ${v.toFixed(4)}`).join(", ")}: ${best.days} days`);
  }
  // Placements in order, each with what is left of the budget: the first (home) is the one most
  // shoppers see; a later one left without time keeps its weights, and the guard below still
  // serves it by its best source when that one is better (an equal split measured worse on UCI
  // under load: home's search stopped before adding recent popularity).
  const until = opts.budgetSeconds;
  for (const placement of placements) {
    const ps = world.settingsFor(placement);
    const defaults = { ...ps.weights };
    const sources = [...new Set<SourceName>([...(Object.keys(defaults) as SourceName[]).filter((s) => (defaults[s] ?? 0) > 0), ...BLEND_SOURCES])];
    // The visual source needs vectors; without an index it cannot be measured, so it is left as configured.
    const tunable = sources.filter((s) => s !== "visual" || world.visual !== null);
    // Each source alone first (the guard needs them anyway): the search then tries the strongest
    // sources first, and starts from the best single source when it beats the shop's weights, so
    // that a budget that runs out mid-search still leaves a placement no worse than its best part.
    let trials = 0;
    const memo = new Map<string, number[]>();
    // Weights that differ by a common factor rank alike (the blend is a weighted sum): measured once.
    // Per customer (the noise test pairs them); null: no source on.
    const perCustomer = (w: Partial<Record<SourceName, number>>): number[] | null => {
      const on = (Object.entries(w) as [SourceName, number][]).filter(([, v]) => (v ?? 0) > 0).sort(([a], [b]) => a.localeCompare(b));
      if (!on.length) return null;
      const sum = on.reduce((t, [, v]) => t + v, 0);
      const key = JSON.stringify(on.map(([n, v]) => [n, Number((v / sum).toPrecision(12))]));
      let v = memo.get(key);
      if (v === undefined) {
        trials++;
        memo.set(key, (v = placementNdcgs(world, placement, users, now, k, w)));
      }
      return v;
    };
    const measure = (w: Partial<Record<SourceName, number>>): number => {
      const per = perCustomer(w);
      return per ? meanOf(per) : -Infinity;
    };
    // The confirmation customers (all validation customers, the search's sample among them): the
    // searched weights against the shop's, and the guard's sources against the served weights.
    const confirmMemo = new Map<string, number[] | null>();
    const perConfirm = (w: Partial<Record<SourceName, number>>): number[] | null => {
      if (confirmUsers === users) return perCustomer(w);
      const key = JSON.stringify(Object.entries(w).filter(([, v]) => (v ?? 0) > 0).sort(([a], [b]) => a.localeCompare(b)));
      if (!confirmMemo.has(key)) confirmMemo.set(key, Object.values(w).some((v) => (v ?? 0) > 0) ? placementNdcgs(world, placement, confirmUsers, now, k, w) : null);
      return confirmMemo.get(key)!;
    };
    const sourceScores: Partial<Record<SourceName, number>> = {};
    for (const s of tunable) sourceScores[s] = measure({ [s]: 1 });
    const byStrength = [...tunable].sort((a, b) => (sourceScores[b] ?? 0) - (sourceScores[a] ?? 0) || a.localeCompare(b));
    // A source that ranks nothing right alone can still reorder a blend: it stays, tried last.
    const knobs: Knob<Partial<Record<SourceName, number>>>[] = byStrength.map((s) => ({
      name: `weight.${s}`,
      values: [...new Set([...BLEND_WEIGHT_VALUES, defaults[s] ?? 0])].sort((a, b) => a - b),
      get: (w) => w[s] ?? 0,
      set: (w, v) => ({ ...w, [s]: v }),
    }));
    const defaultScore = measure(defaults);
    const best = byStrength[0];
    const fromBest = best !== undefined && spent() < until && (sourceScores[best] ?? -Infinity) > defaultScore + minGain;
    const start: Partial<Record<SourceName, number>> = fromBest ? { [best]: 1 } : defaults;
    const search = searchSettings(start, knobs, measure, {
      strategy: "coordinate",
      rounds: 2,
      minGain,
      shouldStop: () => {
        if (spent() < until) return false;
        result.stoppedByBudget = true;
        return true;
      },
    });
    let servedWeights = search.best;
    let chosenScore = search.bestScore;
    // Confirmation: the searched weights replace the shop's only when they beat them beyond noise on
    // the confirmation customers. Each step of the search keeps a gain of minGain; several small
    // steps can add up to a real gain that no single one shows, so the test is on the end result.
    let confirmation: BlendConfirmation | undefined;
    const on = (w: Partial<Record<SourceName, number>>) => JSON.stringify(Object.entries(w).filter(([, v]) => (v ?? 0) > 0).sort(([a], [b]) => a.localeCompare(b)));
    if (noise && on(search.best) !== on(defaults)) {
      const c = perConfirm(search.best);
      const d = perConfirm(defaults);
      const iv = c && d ? bootstrapMean(c.map((v, i) => v - d[i]), noise) : { mean: Infinity, lo: Infinity, hi: Infinity };
      const kept = c !== null && (d === null || beats(c, d));
      confirmation = { users: confirmUsers.length, gain: iv.mean, lo: iv.lo, hi: iv.hi, kept };
      if (!kept) [servedWeights, chosenScore] = [defaults, defaultScore];
    }
    const chosen = Object.fromEntries(Object.entries(servedWeights).filter(([, v]) => (v ?? 0) > 0)) as Partial<Record<SourceName, number>>;
    // The guard: a single source takes the placement over only when it beats the served weights
    // beyond noise on the confirmation customers (a source that merely ties them does not).
    const margin = opts.guardMargin ?? 0;
    const served = perConfirm(servedWeights);
    const beyond = Object.fromEntries(
      (Object.entries(sourceScores) as [SourceName, number][]).filter(([s, v]) => {
        if (!(v > chosenScore + margin)) return false;
        const per = perConfirm({ [s]: 1 });
        return per !== null && (served === null || noise === null || beats(per, served, margin));
      }),
    ) as Partial<Record<SourceName, number>>;
    const guard = guardPlacement(placement, `ndcg@${k}`, chosenScore, beyond, margin);
    result.placements[placement] = { defaults, defaultScore, chosen, chosenScore, sourceScores, guard, trials, ...(confirmation ? { confirmation } : {}) };
    log(
      `tune blend: ${placement}: ${JSON.stringify(defaults)} ${defaultScore.toFixed(4)} -> ${JSON.stringify(search.best)} ${search.bestScore.toFixed(4)} (${fromBest ? `from ${best} alone, ` : ""}${trials} trials, ${spent().toFixed(1)} s${result.stoppedByBudget ? ", budget reached" : ""}); ` +
        `${confirmation ? `confirmation on ${confirmation.users} customers: gain ${confirmation.gain.toFixed(4)} [${confirmation.lo.toFixed(4)}, ${confirmation.hi.toFixed(4)}], ${confirmation.kept ? "kept" : "within noise: the shop's weights are kept"}; ` : ""}` +
        `single sources ${Object.entries(sourceScores).map(([s, v]) => `${s} ${v!.toFixed(4)}`).join(", ")}${guard ? `; GUARD: served by ${guard.source} alone` : ""}`,
    );
  }
  result.spentSeconds = spent();
  return result;
}

/** Validation customers the blend is tuned on at most (a seeded sample beyond). */
export const BLEND_TUNE_USERS = 400;
/** Validation customers the tuned weights and the guard are confirmed on at most (the search's sample among them). */
export const BLEND_CONFIRM_USERS = 2000;

/**
 * The blend tuning that the train job stores and offline evaluation serves alike: a world built
 * from the CF tuner's validation slice (its inner training events at its cut, the chosen model on
 * them: no test period, no retraining), at most BLEND_TUNE_USERS of its customers, one world per
 * recent-popularity window tried.
 */
export function tuneBlendOnSlice(
  inner: InnerModel,
  shop: { catalog: Catalog; customers: CustomerProfile[]; visual: VectorSearch | null; settings: ShopSettings },
  opts: Omit<TuneBlendOptions, "worldWithWindow">,
): BlendTuning {
  const worldWithWindow = (days: number) =>
    buildWorld({
      catalog: shop.catalog,
      events: inner.slice.train,
      customers: shop.customers,
      cf: inner.artifacts.cf,
      boughtTogether: inner.artifacts.boughtTogether,
      viewedTogether: inner.artifacts.viewedTogether,
      visual: shop.visual,
      now: inner.slice.cut,
      settings: { ...shop.settings, global: { ...shop.settings.global, recentPopularityDays: days } },
    });
  const sample = (all: readonly BlendValidationUser[], size: number) => {
    if (all.length <= size) return all;
    const keep = new Set(sampleWithoutReplacement(all.map((_, i) => i), size, 43));
    return all.filter((_, i) => keep.has(i));
  };
  const confirmUsers = sample(inner.slice.users, BLEND_CONFIRM_USERS);
  const users = sample(confirmUsers, BLEND_TUNE_USERS);
  return tuneBlends(worldWithWindow(shop.settings.global.recentPopularityDays), users, inner.slice.cut, { ...opts, worldWithWindow, confirmUsers });
}

/** The blend tuning stored with a model version (parameters.blend), or null. */
export function blendTuningOf(parameters: unknown): BlendTuning | null {
  if (!parameters || typeof parameters !== "object") return null;
  const b = (parameters as { blend?: unknown }).blend;
  if (!b || typeof b !== "object" || !("placements" in b)) return null;
  return b as BlendTuning;
}

/** The shop's settings with the tuned weights of a model version in place (unchanged without tuning). */
export function tunedSettings(settings: ShopSettings, parameters: unknown): ShopSettings {
  const b = blendTuningOf(parameters);
  if (!b) return settings;
  const global = b.recentWindow ? { ...settings.global, recentPopularityDays: b.recentWindow.chosenDays } : settings.global;
  const placements = { ...settings.placements };
  for (const [p, t] of Object.entries(b.placements) as [Placement, PlacementBlendTuning][]) {
    if (!t || !placements[p] || !Object.keys(t.chosen).length) continue;
    placements[p] = { ...placements[p], weights: { ...t.chosen } } as PlacementSettings;
  }
  return { ...settings, global, placements };
}

/** Per placement, the guard decided at training (for WorldInput.guards). */
export function blendGuardsOf(parameters: unknown): Partial<Record<Placement, PlacementGuard>> {
  const b = blendTuningOf(parameters);
  const out: Partial<Record<Placement, PlacementGuard>> = {};
  if (!b) return out;
  for (const [p, t] of Object.entries(b.placements) as [Placement, PlacementBlendTuning][]) if (t?.guard) out[p] = t.guard;
  return out;
}

/**
 * Plain sentences for the admin about the tuned blend of a model version: per tuned placement the
 * weights chosen against the defaults, and the guard's fallback when there is one (guardNote).
 */
export function blendNotes(parameters: unknown, locale: "de" | "en" = "en"): string[] {
  const b = blendTuningOf(parameters);
  if (!b) return [];
  if (b.skipped) return [locale === "de" ? `Mischungsgewichte nicht abgestimmt: ${b.skipped}` : `Blend weights not tuned: ${b.skipped}`];
  const fmtW = (w: Partial<Record<SourceName, number>>) =>
    Object.entries(w)
      .filter(([, v]) => (v ?? 0) > 0)
      .map(([s, v]) => `${s} ${v}`)
      .join(", ") || "-";
  const out: string[] = [];
  const rw = b.recentWindow;
  if (rw) {
    out.push(
      locale === "de"
        ? `Zeitraum der aktuellen Bestseller: ${rw.chosenDays} Tage (Standard: ${rw.defaultDays}), Validierung ${b.objective} ${(rw.scores[String(rw.chosenDays)] ?? NaN).toFixed(3)} (Standard ${(rw.scores[String(rw.defaultDays)] ?? NaN).toFixed(3)}).`
        : `Recent bestsellers window: ${rw.chosenDays} days (default: ${rw.defaultDays}), validation ${b.objective} ${(rw.scores[String(rw.chosenDays)] ?? NaN).toFixed(3)} (default ${(rw.scores[String(rw.defaultDays)] ?? NaN).toFixed(3)}).`,
    );
  }
  for (const [p, t] of Object.entries(b.placements) as [Placement, PlacementBlendTuning][]) {
    if (!t) continue;
    out.push(
      locale === "de"
        ? `Platzierung „${p}“: Gewichte ${fmtW(t.chosen)} (Standard: ${fmtW(t.defaults)}), Validierung ${b.objective} ${t.chosenScore.toFixed(3)} (Standard ${t.defaultScore.toFixed(3)}).`
        : `Placement "${p}": weights ${fmtW(t.chosen)} (defaults: ${fmtW(t.defaults)}), validation ${b.objective} ${t.chosenScore.toFixed(3)} (defaults ${t.defaultScore.toFixed(3)}).`,
    );
    const c = t.confirmation;
    if (c && !c.kept) {
      const ci = `${c.gain >= 0 ? "+" : ""}${c.gain.toFixed(3)} [${c.lo.toFixed(3)}, ${c.hi.toFixed(3)}]`;
      out.push(
        locale === "de"
          ? `Platzierung „${p}“: Andere Gewichte waren auf ${c.users} Validierungskunden nur im Rauschen besser (${ci}); Ihre Gewichte bleiben.`
          : `Placement "${p}": other weights were better on ${c.users} validation customers only within noise (${ci}); your weights are kept.`,
      );
    }
    const g = guardNote(t.guard, locale);
    if (g) out.push(g);
  }
  return out;
}

/** One tuned value next to the default it replaced, for the admin's "Tuned by your data". */
export interface TunedRow {
  /** The parameter (factors, regularization, ..., validation): the admin labels it from its catalogue. */
  key: string;
  /** An English label (the CLI's; the admin's fallback). */
  name: string;
  chosen: string;
  default: string;
}

/** A sentence about the tuning; `key`/`vars` let the admin say it from its catalogue, `text` is the English one. */
export interface TunedNote {
  key?: string;
  vars?: Record<string, number | string>;
  text: string;
}

/**
 * What the train-time tuner chose for a model version (its stored parameters), as rows of
 * "chosen vs default" and plain sentences (the EASE limit, blend weights, guard fallbacks).
 * Null when the version was trained without tuning (`--no-tune`).
 */
export function tunedByYourData(parameters: unknown, locale: "de" | "en" = "en"): { rows: TunedRow[]; notes: TunedNote[] } | null {
  const p = parameters && typeof parameters === "object" ? (parameters as { tuning?: CfReportLike }) : null;
  const cf = p?.tuning && typeof p.tuning === "object" && "chosen" in p.tuning ? p.tuning : null;
  const notes: TunedNote[] = blendNotes(parameters, locale).map((text) => ({ text }));
  if (!cf && notes.length === 0) return null;
  const rows: TunedRow[] = [];
  const show = (v: unknown) => (v === undefined || v === null ? "-" : String(v));
  if (cf) {
    const labels: Record<string, string> = {
      factors: "ALS factors",
      regularization: "ALS regularisation (λ)",
      alpha: "ALS confidence α",
      halfLifeDays: "Half-life of events (days, 0 = no decay)",
      scale: "Confidence scale",
      easeWeight: "Share of the item model (EASE) in the collaborative source",
      easeLambda: "EASE regularisation (λ)",
    };
    for (const [key, label] of Object.entries(labels)) {
      if (!(key in cf.chosen) && !(key in cf.defaults)) continue;
      rows.push({ key, name: label, chosen: show(cf.chosen[key]), default: show(cf.defaults[key] ?? (key === "easeWeight" ? 0 : undefined)) });
    }
    if (Number.isFinite(cf.chosenScore)) rows.push({ key: "validation", name: `Validation ${cf.objective} (collaborative source)`, chosen: cf.chosenScore.toFixed(4), default: Number.isFinite(cf.defaultScore) ? cf.defaultScore.toFixed(4) : "-" });
    if (cf.skipped) {
      // The numbers of app/recommend/cf/tune.ts's own sentence, for the admin's words.
      const few = /^(\d+) validation customers \(fewer than (\d+)\)/.exec(cf.skipped);
      notes.unshift({ text: `Collaborative settings not tuned: ${cf.skipped}`, ...(few ? { key: "eval.tuned.note.fewUsers", vars: { users: Number(few[1]), min: Number(few[2]) } } : {}) });
    }
    if (cf.ease?.note) {
      const ease = /EASE fitted on the (\d+) products .* of (\d+) \(limit (\d+)\)/.exec(cf.ease.note);
      notes.unshift({ text: cf.ease.note, ...(ease ? { key: "eval.tuned.note.easeLimit", vars: { fitted: Number(ease[1]), products: Number(ease[2]), limit: Number(ease[3]) } } : {}) });
    }
  }
  return { rows, notes };
}

interface CfReportLike {
  objective: string;
  chosen: Record<string, unknown>;
  defaults: Record<string, unknown>;
  chosenScore: number;
  defaultScore: number;
  skipped?: string;
  ease?: { note?: string };
}
