/**
 * Image preprocessing with sharp: EXIF rotation, alpha flattened onto white, then the framing,
 * resized to the model's size; then raw RGB bytes into the tensor layout and input range the model wants.
 *
 * Framing ("trim", the default): product shots sit on a plain backdrop (white, or the light grey of
 * a studio), usually with a wide margin that differs from photo to photo. When the photo's border
 * is uniform (BORDER_UNIFORM of its outer ring within TRIM_THRESHOLD of the ring's median colour),
 * that backdrop is trimmed off and the product is padded to a square (`contain`, never cropped: a
 * crop would cut off the pendant) with the backdrop's own colour, so the padding adds no edge the
 * photo did not have. A photo without a uniform border (a scene, a model on a street) is padded
 * onto white as it is. "contain" is the earlier framing (whole photo, white padding), kept for
 * comparison (`npm run eval:visual`) and for a shop that wants it (EmbedOptions.framing).
 * On the 100 H&M photos, trimming raised the share of nearest neighbours of the same product
 * type from 27 % to 34-38 % and the mean average precision of the product group from 49.5 to 52.6-53.7 %
 * (docs/EVALUATION.md, "Visual similarity").
 * Decoding runs on libuv's thread pool, so it overlaps ONNX inference of the previous batch.
 */
import sharp, { type Sharp } from "sharp";

export type Layout = "NHWC" | "NCHW";
/** "0..255": raw pixel values; "-1..1": x/127.5 - 1 (Keras/tf2onnx MobileNetV2); "imagenet": (x/255 - mean)/std per channel (PyTorch). */
export type InputRange = "0..255" | "-1..1" | "imagenet";
export const INPUT_RANGES: InputRange[] = ["0..255", "-1..1", "imagenet"];
export const LAYOUTS: Layout[] = ["NHWC", "NCHW"];

export interface TensorSpec {
  size: number;
  layout: Layout;
  range: InputRange;
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export type Framing = "trim" | "contain";
export const FRAMINGS: Framing[] = ["trim", "contain"];
/** Largest difference (per channel, 0..255) from the backdrop colour that still counts as backdrop. */
export const TRIM_THRESHOLD = 20;
/** Share of the outer ring's pixels that must be backdrop for the photo to be trimmed. */
export const BORDER_UNIFORM = 0.9;
/** The working copy the backdrop is found and trimmed on is at most this many times the output size a side. */
const WORK_SCALE = 2;

/** Decoded image: size x size RGB, row-major, channels last (3 bytes per pixel). */
export interface SquareRgb {
  size: number;
  pixels: Uint8Array;
}

/**
 * The backdrop of an RGB image (channels last): the median colour of its outer ring of pixels,
 * when at least BORDER_UNIFORM of the ring is within TRIM_THRESHOLD of it; null when the border is
 * not uniform (or the image is too small to have a ring and an inside).
 */
export function uniformBorder(pixels: Uint8Array, width: number, height: number): { r: number; g: number; b: number } | null {
  if (width < 8 || height < 8) return null;
  const ring: number[] = [];
  for (let x = 0; x < width; x++) ring.push(x, (height - 1) * width + x);
  for (let y = 1; y < height - 1; y++) ring.push(y * width, y * width + width - 1);
  const median = (c: number) => {
    const vs = ring.map((p) => pixels[p * 3 + c]).sort((a, b) => a - b);
    return vs[vs.length >> 1];
  };
  const bg = [median(0), median(1), median(2)];
  let near = 0;
  for (const p of ring) {
    if (Math.abs(pixels[p * 3] - bg[0]) <= TRIM_THRESHOLD && Math.abs(pixels[p * 3 + 1] - bg[1]) <= TRIM_THRESHOLD && Math.abs(pixels[p * 3 + 2] - bg[2]) <= TRIM_THRESHOLD) near++;
  }
  return near >= BORDER_UNIFORM * ring.length ? { r: bg[0], g: bg[1], b: bg[2] } : null;
}

/**
 * Decodes any image sharp reads into a size x size RGB square, framed as `framing` says (see above).
 * Throws sharp's error for undecodable bytes (the pipeline records it as the image's failure reason).
 */
export async function decodeToSquare(bytes: Buffer | Uint8Array, size: number, framing: Framing = "trim"): Promise<SquareRgb> {
  const decoded = sharp(bytes, { failOn: "error" })
    .rotate() // EXIF orientation
    .flatten({ background: WHITE }); // transparent pixels become white, as on a shop page
  let square: Sharp;
  if (framing === "contain") {
    square = decoded.resize(size, size, { fit: "contain", background: WHITE });
  } else {
    // A working copy (at most WORK_SCALE x size a side, at least 64; JPEGs shrink on load), in which the backdrop is found and trimmed.
    const side = Math.max(64, WORK_SCALE * size);
    const work = await decoded
      .resize(side, side, { fit: "inside", withoutEnlargement: true })
      .toColourspace("srgb") // greyscale and CMYK inputs become 3-channel RGB
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { width: work.info.width, height: work.info.height, channels: 3 as const };
    const pixels = new Uint8Array(work.data.buffer, work.data.byteOffset, work.data.byteLength);
    const bg = work.info.channels === 3 ? uniformBorder(pixels, raw.width, raw.height) : null;
    let framed = sharp(work.data, { raw });
    if (bg) {
      const trimmed = await sharp(work.data, { raw })
        .trim({ background: bg, threshold: TRIM_THRESHOLD })
        .raw()
        .toBuffer({ resolveWithObject: true })
        .catch(() => null); // nothing but backdrop: keep the whole photo
      if (trimmed && trimmed.info.width > 0 && trimmed.info.height > 0) {
        framed = sharp(trimmed.data, { raw: { width: trimmed.info.width, height: trimmed.info.height, channels: 3 } });
      }
    }
    square = framed.resize(size, size, { fit: "contain", background: bg ? { ...bg, alpha: 1 } : WHITE });
  }
  const { data, info } = await square
    .toColourspace("srgb") // greyscale and CMYK inputs become 3-channel RGB
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    throw new Error(`unexpected decoded shape ${info.width}x${info.height}x${info.channels}`);
  }
  return { size, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Per-channel affine map (value = pixel * scale[c] + shift[c]) for an input range. */
function rangeMap(range: InputRange): { scale: number[]; shift: number[] } {
  switch (range) {
    case "0..255":
      return { scale: [1, 1, 1], shift: [0, 0, 0] };
    case "-1..1":
      return { scale: [1 / 127.5, 1 / 127.5, 1 / 127.5], shift: [-1, -1, -1] };
    case "imagenet":
      return {
        scale: IMAGENET_STD.map((s) => 1 / (255 * s)),
        shift: IMAGENET_MEAN.map((m, c) => -m / IMAGENET_STD[c]),
      };
  }
}

/**
 * Writes one image into a batch tensor at position `slot` (a tensor of [N,H,W,3] or [N,3,H,W]).
 * Returns `out`. Allocates a single-image tensor when `out` is omitted.
 */
export function toTensor(img: SquareRgb, spec: TensorSpec, out?: Float32Array, slot = 0): Float32Array {
  const { size, pixels } = img;
  if (size !== spec.size) throw new Error(`image is ${size}px, the model wants ${spec.size}px`);
  const plane = size * size;
  const target = out ?? new Float32Array(3 * plane);
  const base = slot * 3 * plane;
  const { scale, shift } = rangeMap(spec.range);
  if (spec.layout === "NHWC") {
    for (let p = 0, i = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++, i++) target[base + i] = pixels[i] * scale[c] + shift[c];
    }
  } else {
    for (let c = 0; c < 3; c++) {
      const s = scale[c], t = shift[c], o = base + c * plane;
      for (let p = 0; p < plane; p++) target[o + p] = pixels[p * 3 + c] * s + t;
    }
  }
  return target;
}

/** Convenience: bytes to a single-image tensor. */
export async function preprocess(bytes: Buffer | Uint8Array, spec: TensorSpec, framing: Framing = "trim"): Promise<Float32Array> {
  return toTensor(await decodeToSquare(bytes, spec.size, framing), spec);
}
