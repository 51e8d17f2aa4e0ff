/**
 * Puts one source's candidate scores on a 0..1 scale before the blend weights them.
 *
 * Why per source and over the candidate list: raw scales differ wildly (cosine similarities bunch
 * at 0.6-0.95, ALS dot products are unbounded, segment popularity is heavy-tailed), so a weighted sum
 * of raw scores would let whichever source has the largest numbers win regardless of its weight.
 *
 * No information, no contribution (decision 0130): a list whose scores do not tell its candidates
 * apart (all equal; empty) maps to 0 everywhere, under every scheme, so a source that only "knows"
 * ties cannot push an arbitrary order into the blend with the confidence of a good source. The blend
 * treats such a list like an empty one (its weight goes down the fallback chain, blend.ts).
 * One exception, when the caller says how many candidates it asked for (`requested`): a shorter
 * list of equal scores is the source's complete answer (the two new arrivals, the only co-purchase)
 * and does separate its candidates from every other product, so they all get 1. A list as long as
 * asked (or as the whole catalogue) whose scores are all equal was cut at an arbitrary point among
 * ties, or ranks nothing above anything: 0.
 *
 * - "rank" (the default): 1 - rank / length, ties sharing the best rank of their group. Each source
 *   then spreads its candidates evenly over 0..1, so its weight is exactly its influence,
 *   and one outlier (a bestseller with 10x the sales) cannot flatten the rest of its list. It forgets
 *   gaps between scores; on short lists (k * 5) that loses little.
 * - "minmax": (s - min) / (max - min) keeps gaps.
 * - "max": s / max keeps ratios (for non-negative scores); the weakest candidate keeps a share.
 */
import type { Candidate } from "./types";
import type { Normalisation } from "./settings";

/** Returns new candidates (same order) with normalised scores; the input is not changed. */
export function normalise(cands: Candidate[], how: Normalisation, requested?: number): Candidate[] {
  const n = cands.length;
  if (n === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const c of cands) {
    const s = Number.isFinite(c.score) ? c.score : 0;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  // Nothing tells the candidates apart: no information.
  if (!(max > min)) {
    const complete = requested !== undefined && n < requested && max > 0;
    return cands.map((c) => ({ ...c, score: complete ? 1 : 0 }));
  }
  if (how === "rank") return rankNormalise(cands);
  if (how === "max") {
    return cands.map((c) => ({ ...c, score: max > 0 ? Math.max(0, c.score) / max : 0 }));
  }
  const span = max - min;
  return cands.map((c) => ({ ...c, score: (c.score - min) / span }));
}

/** True when a normalised list carries information (some candidate scores above 0). */
export function informative(cands: Candidate[]): boolean {
  for (const c of cands) if (c.score > 0) return true;
  return false;
}

function rankNormalise(cands: Candidate[]): Candidate[] {
  const n = cands.length;
  const order = cands.map((_, i) => i).sort((a, b) => cands[b].score - cands[a].score || cands[a].item - cands[b].item);
  const out: Candidate[] = new Array(n);
  let rank = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    // Ties share the best rank of their group, so equal raw scores stay equal.
    if (r > 0 && cands[i].score !== cands[order[r - 1]].score) rank = r;
    out[i] = { ...cands[i], score: 1 - rank / n };
  }
  return out;
}
