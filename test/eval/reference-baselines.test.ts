/** The plain references of `npm run eval:real` (scripts/eval/baselines.mts) compute what they claim. */
import { expect, it } from "vitest";
import { easeScorer, invertSpd, popularityScorer, type TrainMatrix } from "../../scripts/eval/baselines.mts";
import { mulberry32 } from "../../app/recommend/random";

it("inverts an SPD matrix: A · A⁻¹ = I", () => {
  const n = 12;
  const rand = mulberry32(3);
  const m = Float64Array.from({ length: n * n }, () => rand() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = i === j ? 1 : 0;
    for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
    a[i * n + j] = s;
  }
  const inv = a.slice();
  invertSpd(inv, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
    expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
  }
});

/** Two taste blocks: users 0-3 buy items 0-2, users 4-7 buy items 3-5; user 8 bought only item 0. */
function blocks(): TrainMatrix {
  const rows: number[][] = [[0, 1, 2], [0, 1], [1, 2], [0, 2], [3, 4, 5], [3, 4], [4, 5], [3, 5], [0]];
  const rowPtr = new Int32Array(rows.length + 1);
  rows.forEach((r, u) => (rowPtr[u + 1] = rowPtr[u] + r.length));
  const colIdx = Int32Array.from(rows.flat());
  return { users: rows.length, items: 6, rowPtr, colIdx, counts: new Float64Array(colIdx.length).fill(1), lastAt: Float64Array.from(colIdx, (i) => (i >= 3 ? 2 : 1)) };
}

it("EASE recommends within the user's block and never scores an item by itself", () => {
  const out = new Float64Array(6);
  easeScorer(blocks(), 1)(8, out);
  expect(Math.min(out[1], out[2])).toBeGreaterThan(Math.max(out[3], out[4], out[5]));
  expect(out[0]).toBe(0); // B's diagonal is zero
});

it("recent popularity counts only buyers since the window start", () => {
  const out = new Float64Array(6);
  popularityScorer(blocks(), 2)(0, out);
  expect(Math.max(out[0], out[1], out[2])).toBeLessThan(Math.min(out[3], out[4], out[5]));
});
