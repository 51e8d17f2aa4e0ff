import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { COLOUR_DIM, colourDescriptor } from "../../app/embedding/colour";
import { dot } from "../../app/recommend/vector";
import { decodeToSquare } from "../../app/embedding/preprocess";

/** A disc of `rgb` (radius r of 64) on white, with a little shading so it is not one flat colour. */
async function disc(rgb: [number, number, number], r: number): Promise<Float32Array> {
  const size = 64;
  const px = Buffer.alloc(size * size * 3, 255);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - 32, y - 32);
      if (d > r) continue;
      const shade = 0.85 + 0.15 * (1 - d / r);
      for (let c = 0; c < 3; c++) px[(y * size + x) * 3 + c] = Math.round(rgb[c] * shade);
    }
  const png = await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  return colourDescriptor(await decodeToSquare(png, 64));
}

describe("colour descriptor", () => {
  it("is an L2-normalised histogram of the foreground", async () => {
    const v = await disc([212, 175, 55], 20);
    expect(v.length).toBe(COLOUR_DIM);
    expect(dot(v, v)).toBeCloseTo(1, 5);
  });

  it("tells yellow gold, rose gold and silver apart, and ignores the white background's extent", async () => {
    const gold = await disc([212, 175, 55], 25);
    const smallGold = await disc([218, 180, 70], 8); // another shade, much less foreground
    const rose = await disc([183, 110, 121], 25);
    const silver = await disc([192, 192, 200], 25);
    const goldGold = dot(gold, smallGold);
    expect(goldGold).toBeGreaterThan(0.8);
    expect(goldGold).toBeGreaterThan(dot(gold, rose) + 0.3);
    expect(goldGold).toBeGreaterThan(dot(gold, silver) + 0.3);
    expect(dot(silver, await disc([170, 170, 178], 15))).toBeGreaterThan(dot(silver, rose) + 0.3);
  });

  it("uses all pixels of an image that is white all over (no foreground)", async () => {
    const white = colourDescriptor({ size: 2, pixels: new Uint8Array(12).fill(255) });
    expect(dot(white, white)).toBeCloseTo(1, 5);
  });
});
