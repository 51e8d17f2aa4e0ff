import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeToSquare, preprocess, toTensor, uniformBorder } from "../../app/embedding/preprocess";

const W = [255, 255, 255];

/** A 4x2 RGBA image: red, green, blue, transparent black / white, grey, half-transparent red, yellow. */
async function knownPng(): Promise<Buffer> {
  const px = Buffer.from([
    255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0,
    255, 255, 255, 255, 128, 128, 128, 255, 255, 0, 0, 128, 255, 255, 0, 255,
  ]);
  return sharp(px, { raw: { width: 4, height: 2, channels: 4 } }).png().toBuffer();
}

// contain onto a white 4x4 square: a white row above and below; alpha flattened onto white.
const KNOWN_SQUARE = [
  ...W, ...W, ...W, ...W,
  255, 0, 0, 0, 255, 0, 0, 0, 255, ...W, // transparent black -> white
  ...W, 128, 128, 128, 255, 127, 127, 255, 255, 0, // half-transparent red -> (255,127,127)
  ...W, ...W, ...W, ...W,
];

describe("preprocess", () => {
  it("flattens alpha onto white and pads a wide image onto a white square (contain)", async () => {
    const sq = await decodeToSquare(await knownPng(), 4);
    expect(Array.from(sq.pixels)).toEqual(KNOWN_SQUARE);
  });

  it("applies the EXIF orientation before padding", async () => {
    const rgb = Buffer.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 240]);
    const webp = await sharp(rgb, { raw: { width: 4, height: 2, channels: 3 } }).webp({ lossless: true }).withMetadata({ orientation: 6 }).toBuffer();
    const sq = await decodeToSquare(webp, 4);
    // Orientation 6 = rotate 90 degrees clockwise: the 4x2 image becomes 2x4, then padded left and right.
    const E = [130, 140, 150], A = [10, 20, 30], F = [160, 170, 180], B = [40, 50, 60];
    const G = [190, 200, 210], C = [70, 80, 90], H = [220, 230, 240], D = [100, 110, 120];
    expect(Array.from(sq.pixels)).toEqual([...W, ...E, ...A, ...W, ...W, ...F, ...B, ...W, ...W, ...G, ...C, ...W, ...W, ...H, ...D, ...W]);
  });

  it("writes the exact NHWC tensor in 0..255 and -1..1", async () => {
    const png = await knownPng();
    expect(Array.from(await preprocess(png, { size: 4, layout: "NHWC", range: "0..255" }))).toEqual(KNOWN_SQUARE);
    const t = await preprocess(png, { size: 4, layout: "NHWC", range: "-1..1" });
    expect(Array.from(t)).toEqual(KNOWN_SQUARE.map((v) => Math.fround(v * (1 / 127.5) - 1)));
    expect(t[12]).toBe(1); // pixel (1,0) red channel
    expect(t[13]).toBe(-1); // pixel (1,0) green channel
  });

  it("writes the exact NCHW tensor with ImageNet mean/std", async () => {
    const t = await preprocess(await knownPng(), { size: 4, layout: "NCHW", range: "imagenet" });
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const expected: number[] = [];
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 16; p++) expected.push(Math.fround(KNOWN_SQUARE[p * 3 + c] * (1 / (255 * std[c])) + -mean[c] / std[c]));
    expect(Array.from(t)).toEqual(expected);
    expect(t[16 + 5]).toBeCloseTo((1 - 0.456) / 0.224, 5); // green plane, pixel (1,1) = pure green
    expect(t[4]).toBeCloseTo((1 - 0.485) / 0.229, 5); // red plane, pixel (1,0) = pure red
  });

  it("places images at their batch slot", async () => {
    const sq = await decodeToSquare(await knownPng(), 4);
    const batch = new Float32Array(2 * 48).fill(-7);
    toTensor(sq, { size: 4, layout: "NCHW", range: "0..255" }, batch, 1);
    expect(Array.from(batch.subarray(0, 48)).every((v) => v === -7)).toBe(true);
    expect(batch[48 + 4]).toBe(255); // slot 1, red plane, pixel (1,0)
    expect(batch[48 + 16 + 4]).toBe(0); // slot 1, green plane, pixel (1,0)
  });

  it("turns greyscale input into three channels and rejects bytes that are no image", async () => {
    const grey = await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const sq = await decodeToSquare(grey, 2);
    expect(Array.from(sq.pixels)).toEqual([0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
    await expect(decodeToSquare(Buffer.from("not an image"), 4)).rejects.toThrow();
  });

  describe("framing", () => {
    /** A 40x20 red box on a (w x h) backdrop of `bg`, at (left, top). */
    const boxOn = (bg: [number, number, number], w = 200, h = 300, left = 50, top = 200) => {
      const px = Buffer.alloc(w * h * 3);
      for (let i = 0; i < w * h; i++) px.set(bg, i * 3);
      for (let y = top; y < top + 20; y++) for (let x = left; x < left + 40; x++) px.set([200, 20, 20], (y * w + x) * 3);
      return sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    };
    const at = (sq: { size: number; pixels: Uint8Array }, x: number, y: number) => Array.from(sq.pixels.subarray((y * sq.size + x) * 3, (y * sq.size + x) * 3 + 3));

    it("trims a uniform backdrop and pads with its own colour: the product fills the width", async () => {
      const grey: [number, number, number] = [232, 231, 229];
      const sq = await decodeToSquare(await boxOn(grey), 40);
      // The 40x20 box becomes 40 wide (20 high, centred): its middle row is red edge to edge
      // (reddish at the very edge, where the working copy's resampling blends in the backdrop).
      const red = (p: number[]) => p[0] > 180 && p[1] < 120 && p[2] < 120;
      for (let x = 0; x < 40; x++) expect(red(at(sq, x, 20)), `pixel (${x}, 20) ${at(sq, x, 20)}`).toBe(true);
      // The padding above and below is the backdrop, not white.
      expect(at(sq, 20, 2)).toEqual(grey);
      expect(at(sq, 20, 37)).toEqual(grey);
    });

    it('keeps the whole photo on white with framing "contain" (the earlier framing)', async () => {
      const sq = await decodeToSquare(await boxOn([232, 231, 229]), 40, "contain");
      // 200x300 -> 27x40 in the middle; the box is small and off-centre, the sides are white padding.
      expect(at(sq, 1, 20)).toEqual([255, 255, 255]);
      expect(at(sq, 20, 2)).toEqual([232, 231, 229]);
      expect(at(sq, 0, 20)[1]).toBeGreaterThan(200); // no red at the left edge
    });

    it("does not trim a photo whose border is not uniform (a scene), and finds the backdrop only on a uniform ring", async () => {
      const w = 40, h = 40;
      const px = Buffer.alloc(w * h * 3);
      for (let i = 0; i < w * h; i++) px.set([(i * 37) % 256, (i * 91) % 256, (i * 13) % 256], i * 3);
      expect(uniformBorder(new Uint8Array(px), w, h)).toBeNull();
      const scene = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
      expect(Array.from((await decodeToSquare(scene, 40)).pixels)).toEqual(Array.from((await decodeToSquare(scene, 40, "contain")).pixels));
      const plain = Buffer.alloc(w * h * 3, 240);
      expect(uniformBorder(new Uint8Array(plain), w, h)).toEqual({ r: 240, g: 240, b: 240 });
    });

    it("keeps a photo that is nothing but backdrop (nothing to trim to)", async () => {
      const blank = await sharp({ create: { width: 30, height: 50, channels: 3, background: { r: 250, g: 250, b: 250 } } }).png().toBuffer();
      const sq = await decodeToSquare(blank, 8);
      expect(sq.pixels.length).toBe(8 * 8 * 3);
      expect(new Set(sq.pixels)).toEqual(new Set([250]));
    });
  });
});
