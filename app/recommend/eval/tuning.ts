/**
 * Weight tuning: a search over a placement's settings (blend weights, the main rule, diversity)
 * that maximises a metric on a VALIDATION slice carved from the training period. The search only
 * ever calls the `score` function it is given; the caller (run.ts) builds that function on a world
 * trained on the inner training slice and on validation customers only, so the test split cannot
 * influence the choice. The chosen settings are then measured once on the test split, and the
 * result is stored as a proposal for the merchant to accept.
 */
import { seededRandom } from "./bootstrap";

/** One tunable setting: how to read it, write it (returning a copy) and which values to try. */
export interface Knob<S> {
  name: string;
  values: readonly number[];
  get(settings: S): number;
  set(settings: S, value: number): S;
}

export interface SearchOptions<S = unknown> {
  strategy?: "coordinate" | "random";
  /** Coordinate search: passes over all knobs (stops early when a pass changes nothing). */
  rounds?: number;
  /** Random search: number of random settings tried (besides the start). */
  budget?: number;
  seed?: number;
  /** An improvement smaller than this is noise: the earlier settings are kept. */
  minGain?: number;
  /** Asked before each new setting is scored (a time budget): true ends the search with the best so far. */
  shouldStop?: () => boolean;
  /**
   * Asked when a setting beats the best so far by `minGain`: false keeps the best (e.g. the gain is
   * within the noise of the validation customers, hybrid/tuneBlend.ts beyondNoise).
   */
  accept?: (candidate: S, incumbent: S) => boolean;
}

export interface Trial {
  values: Record<string, number>;
  score: number;
}

export interface SearchResult<S> {
  start: S;
  best: S;
  startScore: number;
  bestScore: number;
  trials: Trial[];
}

function valuesOf<S>(s: S, knobs: readonly Knob<S>[]): Record<string, number> {
  return Object.fromEntries(knobs.map((k) => [k.name, k.get(s)]));
}

/**
 * Searches knob values for the highest score. Coordinate search changes one knob at a time, keeping
 * a change only when it beats the best so far by `minGain`; random search draws every knob at random.
 * Each distinct setting is scored once (memoised on its knob values).
 */
export function searchSettings<S>(start: S, knobs: readonly Knob<S>[], score: (settings: S) => number, opts: SearchOptions<S> = {}): SearchResult<S> {
  const minGain = opts.minGain ?? 1e-4;
  const accept = opts.accept ?? (() => true);
  const trials: Trial[] = [];
  let stopped = false;
  const memo = new Map<string, number>();
  const evaluate = (s: S): number => {
    const values = valuesOf(s, knobs);
    const key = JSON.stringify(values);
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (trials.length > 0 && opts.shouldStop?.()) {
      stopped = true;
      return -Infinity;
    }
    const v = score(s);
    const safe = Number.isFinite(v) ? v : -Infinity;
    memo.set(key, safe);
    trials.push({ values, score: safe });
    return safe;
  };
  const startScore = evaluate(start);
  let best = start;
  let bestScore = startScore;
  if ((opts.strategy ?? "coordinate") === "random") {
    const rnd = seededRandom(opts.seed ?? 7);
    for (let t = 0; t < (opts.budget ?? 30) && !stopped; t++) {
      let s = start;
      for (const k of knobs) s = k.set(s, k.values[Math.floor(rnd() * k.values.length)]);
      const v = evaluate(s);
      if (v > bestScore + minGain && accept(s, best)) [best, bestScore] = [s, v];
    }
  } else {
    for (let round = 0; round < (opts.rounds ?? 2) && !stopped; round++) {
      let changed = false;
      for (const k of knobs) {
        for (const value of k.values) {
          if (stopped) break;
          if (value === k.get(best)) continue;
          const s = k.set(best, value);
          const v = evaluate(s);
          if (v > bestScore + minGain && accept(s, best)) {
            [best, bestScore] = [s, v];
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
  }
  return { start, best, startScore, bestScore, trials };
}

/** What the tuner proposes for one placement, with the evidence. */
export interface PlacementProposal<O = Record<string, unknown>> {
  /** The settings to change (only the tuned keys). */
  overrides: O;
  knobs: Record<string, { from: number; to: number }>;
  objective: string;
  validation: { before: number; after: number; trials: number; users: number };
  test: { before: number; after: number; gain: number; relativeGain: number | null };
  /** Set when the validation gain did not carry over to the test split (the merchant should hesitate). */
  warning?: string;
}

/** The proposal as stored (Setting "recommend.proposal") for the merchant to accept or dismiss. */
export interface TuningProposal<O = Record<string, unknown>> {
  createdAt: string;
  split: string;
  k: number;
  objective: string;
  strategy: string;
  /** placement -> proposal; placements where tuning found nothing better are left out. */
  placements: Record<string, PlacementProposal<O>>;
  /** Placements tried that kept their settings, with why. */
  unchanged: Record<string, string>;
  status: "proposed" | "accepted" | "dismissed";
}

/** The knobs whose value the search changed, with old and new values. */
export function changedKnobs<S>(result: SearchResult<S>, knobs: readonly Knob<S>[]): Record<string, { from: number; to: number }> {
  const out: Record<string, { from: number; to: number }> = {};
  for (const k of knobs) {
    const from = k.get(result.start);
    const to = k.get(result.best);
    if (from !== to) out[k.name] = { from, to };
  }
  return out;
}
