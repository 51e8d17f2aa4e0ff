/**
 * The colour descriptor ("colour-hist-v1"): a histogram of the foreground's colours, cheap enough
 * for every product and useful for jewelry, where the metal (yellow gold, rose gold, silver) and
 * the stone's colour are much of what "looks alike" means. It is the second visual signal beside
 * the image model, and the only one when no model is configured.
 *
 * - Foreground: pixels that are not near-white (product shots sit on white; the padding is white or the backdrop's colour).
 *   An image with no foreground at all (a white product on white) uses all its pixels.
 * - Bins: 12 hues x 3 saturations x 3 values for coloured pixels, plus 4 grey levels for pixels with
 *   little saturation or light (silver, platinum, black leather). Every pixel is soft-binned (linear
 *   interpolation between the nearest bin centres in hue, saturation and value, and between grey and
 *   coloured), so two shades of gold on either side of a bin border still share most of their mass.
 * - Each bin holds the share of foreground pixels; the vector is the square root of the shares
 *   (Hellinger), L2-normalised, so the cosine of two descriptors is the Bhattacharyya coefficient of
 *   the two colour distributions and one dominant colour does not drown the rest.
 */
import type { SquareRgb } from "./preprocess";

export const COLOUR_MODEL_ID = "colour-hist-v1";
const HUES = 12;
const SATS = 3;
const VALS = 3;
const GREYS = 4;
export const COLOUR_DIM = HUES * SATS * VALS + GREYS; // 112
/** Size at which the colour descriptor is computed when no image model decodes the image anyway. */
export const COLOUR_SIZE = 64;

/** Saturation and value ranges of coloured pixels; below them a pixel is grey (or black). */
const SAT_MIN = 0.15;
const VAL_MIN = 0.12;
/** Width of the soft border between grey and coloured. */
const GREY_BLEND = 0.06;

function isBackground(r: number, g: number, b: number): boolean {
  const lo = Math.min(r, g, b);
  const hi = Math.max(r, g, b);
  return lo >= 235 && hi - lo <= 18;
}

const ramp = (x: number, edge: number) => Math.max(0, Math.min(1, (x - edge) / GREY_BLEND + 0.5));
const GREY_BASE = HUES * SATS * VALS;

/**
 * Adds one pixel, soft-binned. Written without allocations: it runs for every sampled pixel.
 * Soft assignment of x in [min, 1] to n uniform bins: position p = (x - min)/(1 - min) * n - 0.5,
 * weight 1 - f to bin floor(p) and f to the next one (clamped at both ends).
 */
function accumulate(hist: Float64Array, r: number, g: number, b: number): void {
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  // How coloured the pixel is (0 grey .. 1 coloured), softly around the grey thresholds.
  const chroma = ramp(s, SAT_MIN) * ramp(v, VAL_MIN);
  if (chroma < 1) {
    const p = v * GREYS - 0.5;
    const lo = Math.floor(p), f = p - lo;
    hist[GREY_BASE + (lo < 0 ? 0 : lo)] += (1 - chroma) * (1 - f);
    hist[GREY_BASE + (lo + 1 > GREYS - 1 ? GREYS - 1 : lo + 1)] += (1 - chroma) * f;
  }
  if (chroma <= 0) return;
  const d = max - min;
  let h: number;
  if (max === r) h = ((g - b) / d + 6) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  // Hue bins of 30 degrees centred on 0, 30, 60, ... degrees, soft between the two nearest (circular).
  const hp = (h * 60) / (360 / HUES);
  const hl = Math.floor(hp), hf = hp - hl;
  const h0 = (hl % HUES) * SATS * VALS, h1 = ((hl + 1) % HUES) * SATS * VALS;
  const sp = ((Math.max(s, SAT_MIN) - SAT_MIN) / (1 - SAT_MIN)) * SATS - 0.5;
  const sl = Math.floor(sp), sf = sp - sl;
  const s0 = (sl < 0 ? 0 : sl > SATS - 1 ? SATS - 1 : sl) * VALS, s1 = (sl + 1 > SATS - 1 ? SATS - 1 : sl + 1 < 0 ? 0 : sl + 1) * VALS;
  const vp = ((Math.max(v, VAL_MIN) - VAL_MIN) / (1 - VAL_MIN)) * VALS - 0.5;
  const vl = Math.floor(vp), vf = vp - vl;
  const v0 = vl < 0 ? 0 : vl > VALS - 1 ? VALS - 1 : vl, v1 = vl + 1 > VALS - 1 ? VALS - 1 : vl + 1 < 0 ? 0 : vl + 1;
  const a0 = chroma * (1 - hf), a1 = chroma * hf;
  const b00 = (1 - sf) * (1 - vf), b01 = (1 - sf) * vf, b10 = sf * (1 - vf), b11 = sf * vf;
  hist[h0 + s0 + v0] += a0 * b00;
  hist[h0 + s0 + v1] += a0 * b01;
  hist[h0 + s1 + v0] += a0 * b10;
  hist[h0 + s1 + v1] += a0 * b11;
  hist[h1 + s0 + v0] += a1 * b00;
  hist[h1 + s0 + v1] += a1 * b01;
  hist[h1 + s1 + v0] += a1 * b10;
  hist[h1 + s1 + v1] += a1 * b11;
}

/** At most about this many pixels per side are sampled: a histogram needs no more, and it runs on the main thread. */
const SAMPLE_SIDE = 64;

/** The descriptor of a decoded image (any square size; large ones are sampled on a grid). */
export function colourDescriptor(img: SquareRgb): Float32Array {
  const px = img.pixels;
  const step = Math.max(1, Math.floor(img.size / SAMPLE_SIDE));
  const hist = new Float64Array(COLOUR_DIM);
  let fg = 0;
  for (let y = 0; y < img.size; y += step) {
    for (let x = 0; x < img.size; x += step) {
      const i = (y * img.size + x) * 3;
      if (isBackground(px[i], px[i + 1], px[i + 2])) continue;
      accumulate(hist, px[i], px[i + 1], px[i + 2]);
      fg++;
    }
  }
  if (fg === 0) {
    for (let y = 0; y < img.size; y += step)
      for (let x = 0; x < img.size; x += step) {
        const i = (y * img.size + x) * 3;
        accumulate(hist, px[i], px[i + 1], px[i + 2]);
      }
  }
  const out = new Float32Array(COLOUR_DIM);
  let norm = 0;
  for (let i = 0; i < COLOUR_DIM; i++) {
    out[i] = Math.sqrt(hist[i]);
    norm += out[i] * out[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < COLOUR_DIM; i++) out[i] /= norm;
  return out;
}
