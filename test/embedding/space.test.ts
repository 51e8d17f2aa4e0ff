/** The image model's search space (app/embedding/space.ts): power normalisation and the shop's catalogue centre. */
import { describe, expect, it } from "vitest";
import { l2normalise } from "../../app/embedding/pool";
import { dot } from "../../app/recommend/vector";
import { centreStillFits, decodeCentre, encodeCentre, fitCentre, MIN_CENTRE_PRODUCTS, powerNormalise, toSearchSpace } from "../../app/embedding/space";

const unit = (xs: number[]) => l2normalise(Float32Array.from(xs));

describe("visual search space", () => {
  it("power-normalises with the signed square root and unit length", () => {
    const v = powerNormalise(Float32Array.from([4, -9, 0, 0]));
    expect(Array.from(v).map((x) => +x.toFixed(4))).toEqual([+(2 / Math.sqrt(13)).toFixed(4), +(-3 / Math.sqrt(13)).toFixed(4), 0, 0]);
    expect(dot(v, v)).toBeCloseTo(1, 6);
  });

  it("fits no centre on fewer than MIN_CENTRE_PRODUCTS products (two products would become opposites)", () => {
    const few = Array.from({ length: MIN_CENTRE_PRODUCTS - 1 }, (_, i) => unit([1, i % 2, 0.1]));
    expect(fitCentre(few, "m")).toBeNull();
    // Without a centre the space is the power-normalised vector.
    expect(Array.from(toSearchSpace(few[1], null))).toEqual(Array.from(powerNormalise(few[1])));
  });

  it("removes the direction every product shares: products differing only off it become distinguishable", () => {
    // Every vector has a large shared component (the backdrop) and a small one that tells kinds apart.
    const kinds = [unit([0, 1, 0, 0]), unit([0, 0, 1, 0]), unit([0, 0, 0, 1])];
    const vs = Array.from({ length: 30 }, (_, i) => unit([10, ...Array.from(kinds[i % 3].subarray(1), (x, k) => x + 0.01 * ((i * 7 + k) % 5))]));
    const c = fitCentre(vs, "m")!;
    expect(c).toMatchObject({ modelId: "m", dim: 4, products: 30 });
    const raw = dot(vs[0], vs[1]);
    const centred = dot(toSearchSpace(vs[0], c), toSearchSpace(vs[1], c));
    expect(raw).toBeGreaterThan(0.99); // all alike before
    expect(centred).toBeLessThan(0.2); // different kinds apart after
    expect(dot(toSearchSpace(vs[0], c), toSearchSpace(vs[3], c))).toBeGreaterThan(0.9); // same kind together
  });

  it("keeps a centre while the catalogue changes by at most 10 % and the model is the same; round-trips through the status", () => {
    const vs = Array.from({ length: 40 }, (_, i) => unit([1, (i % 4) / 4, 0.5]));
    const c = fitCentre(vs, "m")!;
    expect(centreStillFits(c, "m", 3, 44)).toBe(true);
    expect(centreStillFits(c, "m", 3, 45)).toBe(false);
    expect(centreStillFits(c, "other", 3, 40)).toBe(false);
    expect(centreStillFits(null, "m", 3, 40)).toBe(false);
    const back = decodeCentre(JSON.parse(JSON.stringify(encodeCentre(c))))!;
    expect(back).toMatchObject({ modelId: "m", dim: 3, products: 40, hash: c.hash });
    expect(Array.from(back.vector)).toEqual(Array.from(c.vector));
    expect(decodeCentre({ modelId: "m", dim: 5, products: 40, hash: "x", vector: encodeCentre(c).vector })).toBeNull();
    expect(decodeCentre("nonsense")).toBeNull();
  });
});
