/**
 * Puts one source's candidate scores on a 0..1 scale before the blend weights them.
 *
 * Why per source and over the candidate list: raw scales differ wildly (cosine similarities bunch
 * at 0.6-0.95, ALS dot products are unbounded, segment popularity is heavy-tailed), so a weighted sum
 * of raw scores would let whichever source has the largest numbers win regardless of its weight.
 *
 * - "rank" (the default): 1 - rank / length, ties sharing the best rank. Each source then spreads its
 *   candidates evenly over 0..1, so its weight is exactly its influence, and one outlier (a bestseller
 *   with 10x the sales) cannot flatten the rest of its list. It forgets gaps between scores; on
 *   short lists (k * 5) that loses little.
 * - "minmax": (s - min) / (max - min) keeps gaps; a list whose scores are all equal maps to 1.
 * - "max": s / max keeps ratios (for non-negative scores); the weakest candidate keeps a share.
 */
import type { Candidate } from "./types";
import type { Normalisation } from "./settings";

/** Returns new candidates (same order) with normalised scores; the input is not changed. */
export function normalise(cands: Candidate[], how: Normalisation): Candidate[] {
  const n = cands.length;
  if (n === 0) return [];
  if (how === "rank") return rankNormalise(cands);
  let min = Infinity;
  let max = -Infinity;
  for (const c of cands) {
    if (c.score < min) min = c.score;
    if (c.score > max) max = c.score;
  }
  if (how === "max") {
    return cands.map((c) => ({ ...c, score: max > 0 ? Math.max(0, c.score) / max : 1 }));
  }
  const span = max - min;
  return cands.map((c) => ({ ...c, score: span > 0 ? (c.score - min) / span : 1 }));
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
