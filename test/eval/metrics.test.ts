import { describe, expect, it } from "vitest";
import {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  intraListDiversity,
  ndcgAtK,
  novelty,
  precisionAtK,
  priceSpread,
  rankByScore,
  recallAtK,
  topK,
} from "../../app/recommend/eval/metrics";

const rel = (...xs: number[]) => new Set(xs);

describe("ranking metrics at K, hand-computed", () => {
  // list [5, 1, 7, 2], relevant {1, 2, 9}, K = 3: the hit is at rank 2 (0-based 1); 2 is at rank 4, outside K.
  const list = [5, 1, 7, 2];
  const relevant = rel(1, 2, 9);
  it("precision divides hits by K", () => {
    expect(precisionAtK(list, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(precisionAtK(list, relevant, 4)).toBeCloseTo(2 / 4, 12);
  });
  it("recall divides hits by the relevant count", () => {
    expect(recallAtK(list, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(list, relevant, 4)).toBeCloseTo(2 / 3, 12);
  });
  it("NDCG: DCG 1/log2(3) over ideal 1 + 1/log2(3) + 1/2", () => {
    expect(ndcgAtK(list, relevant, 3)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3) + 0.5), 12);
    // K = 4: DCG = 1/log2(3) + 1/log2(5); ideal over min(3, 4) = 3 hits.
    expect(ndcgAtK(list, relevant, 4)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5), 12);
  });
  it("MAP: mean precision at the hits, over min(|relevant|, K)", () => {
    expect(averagePrecisionAtK(list, relevant, 3)).toBeCloseTo(1 / 2 / 3, 12);
    expect(averagePrecisionAtK(list, relevant, 4)).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
    // More relevant items than K: a perfect list still scores 1.
    expect(averagePrecisionAtK([1, 2], rel(1, 2, 3, 4), 2)).toBe(1);
  });
  it("hit rate is 1 with any hit in the top K", () => {
    expect(hitRateAtK(list, relevant, 1)).toBe(0);
    expect(hitRateAtK(list, relevant, 2)).toBe(1);
  });
  it("a perfect list scores 1 on NDCG and MAP", () => {
    expect(ndcgAtK([9, 2, 1], relevant, 3)).toBeCloseTo(1, 12);
    expect(averagePrecisionAtK([9, 2, 1], relevant, 3)).toBeCloseTo(1, 12);
  });
  it("an empty list scores 0 everywhere", () => {
    for (const f of [precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK]) expect(f([], relevant, 5)).toBe(0);
  });
  it("a customer with no test items has no value (NaN), so evaluation leaves them out", () => {
    for (const f of [precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK]) expect(f([1, 2], rel(), 5)).toBeNaN();
  });
  it("a duplicate is never a second hit", () => {
    expect(topK([1, 1, 2, 1, 3], 3)).toEqual([1, 2, 3]);
    expect(precisionAtK([1, 1, 1], rel(1), 3)).toBeCloseTo(1 / 3, 12);
    expect(ndcgAtK([1, 1], rel(1, 2), 2)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
  });
  it("ties in score rank by product index, so equal scores give one deterministic order", () => {
    const scored = [
      { item: 7, score: 0.5 },
      { item: 3, score: 0.9 },
      { item: 2, score: 0.5 },
      { item: 9, score: 0.5 },
    ];
    expect(rankByScore(scored)).toEqual([3, 2, 7, 9]);
    expect(rankByScore([...scored].reverse())).toEqual([3, 2, 7, 9]);
    // With relevant {9}, the tie-break puts the hit at rank 4: NDCG@4 = (1/log2 5) / 1.
    expect(ndcgAtK(rankByScore(scored), rel(9), 4)).toBeCloseTo(1 / Math.log2(5), 12);
  });
});

describe("list-level measures, hand-computed", () => {
  it("coverage counts distinct products in the top K over the catalogue", () => {
    expect(catalogueCoverage([[0, 1, 2], [1, 2, 3], []], 2, 10)).toBeCloseTo(3 / 10, 12); // {0,1,2}
    expect(catalogueCoverage([], 2, 10)).toBe(0);
  });
  it("diversity is 1 minus the mean pairwise similarity; unknown pairs are left out", () => {
    const sim = (a: number, b: number) => (a === 2 || b === 2 ? null : a + b === 1 ? 0.8 : 0.2);
    // pairs (0,1)=0.8, (0,3)=0.2, (1,3)=0.2 -> mean 0.4 -> diversity 0.6; item 2 has no vector.
    expect(intraListDiversity([0, 1, 2, 3], 4, sim)).toBeCloseTo(0.6, 12);
    expect(intraListDiversity([0], 4, sim)).toBeNaN();
    expect(intraListDiversity([], 4, sim)).toBeNaN();
  });
  it("novelty is mean -log2((users of item + 1) / (users + 1))", () => {
    const counts = [3, 0, 1]; // 3 training users in all
    expect(novelty([0, 1], 2, counts, 3)).toBeCloseTo((-Math.log2(4 / 4) - Math.log2(1 / 4)) / 2, 12); // (0 + 2) / 2 = 1
    expect(novelty([], 2, counts, 3)).toBeNaN();
  });
  it("price spread is the coefficient of variation of the top K's prices", () => {
    const price = [10, 30, 20, 20];
    // prices 10, 30: mean 20, population sd 10 -> 0.5
    expect(priceSpread([0, 1], 2, price)).toBeCloseTo(0.5, 12);
    expect(priceSpread([2, 3], 2, price)).toBe(0);
    expect(priceSpread([0], 2, price)).toBeNaN();
  });
});
