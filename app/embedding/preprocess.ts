/**
 * Image preprocessing with sharp: EXIF rotation, alpha flattened onto white, `contain` onto a white
 * square (product shots are rarely square; cropping would cut off the pendant), resized to the
 * model's size; then raw RGB bytes into the tensor layout and input range the model wants.
 * Decoding runs on libuv's thread pool, so it overlaps ONNX inference of the previous batch.
 */
import sharp from "sharp";

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

/** Decoded image: size x size RGB, row-major, channels last (3 bytes per pixel). */
export interface SquareRgb {
  size: number;
  pixels: Uint8Array;
}

/**
 * Decodes any image sharp reads into a white-padded size x size RGB square.
 * Throws sharp's error for undecodable bytes (the pipeline records it as the image's failure reason).
 */
export async function decodeToSquare(bytes: Buffer | Uint8Array, size: number): Promise<SquareRgb> {
  const { data, info } = await sharp(bytes, { failOn: "error" })
    .rotate() // EXIF orientation
    .flatten({ background: WHITE }) // transparent pixels become white, as on a shop page
    .resize(size, size, { fit: "contain", background: WHITE })
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
export async function preprocess(bytes: Buffer | Uint8Array, spec: TensorSpec): Promise<Float32Array> {
  return toTensor(await decodeToSquare(bytes, spec.size), spec);
}
