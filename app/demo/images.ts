/**
 * Product images for the demo shop, drawn from shapes: the category's silhouette in the metal's
 * colour with the stone's colour and cut, on white, with a little seeded jitter (rotation, scale,
 * offset). So what a piece looks like carries real information: an image model sees metal,
 * category and stone, and the pieces of one matching set look alike.
 *
 * SVG text is built here and rendered to PNG by sharp (librsvg). Identical SVGs (same parameters
 * and the same quantised jitter) are rendered once and the PNG bytes reused.
 */
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { GEM_HEX, METAL_HEX, type Category, type Gem, type Metal } from "./calibration";
import type { DemoProduct, StoneCut, Variant } from "./catalog";
import { Rng } from "./random";

export const IMAGE_SIZE = 128;

export interface ImageSpec {
  category: Category;
  variant: Variant;
  metal: Metal;
  gem: Gem;
  cut: StoneCut;
  /** Degrees, multiples of 2 in [-10, 10]. */
  rotation: number;
  /** In [0.9, 1.1], steps of 0.05. */
  scale: number;
  /** Pixels, even numbers in [-4, 4]. */
  dx: number;
  dy: number;
}

/** The image parameters of a product: its look plus seeded, quantised jitter. */
export function imageSpec(p: DemoProduct, seed: number): ImageSpec {
  const rng = Rng.derive(seed, "image", p.index);
  return {
    category: p.category,
    variant: p.variant,
    metal: p.metal,
    gem: p.gem,
    cut: p.collection.cut,
    rotation: 2 * rng.range(-5, 5),
    scale: 0.9 + 0.05 * rng.range(0, 4),
    dx: 2 * rng.range(-2, 2),
    dy: 2 * rng.range(-2, 2),
  };
}

export function imageRelativePath(p: DemoProduct): string {
  return `images/${p.id}.png`;
}

/** Renders every product's image into `<out>/images/`, a few at a time. */
export async function renderProductImages(
  products: readonly DemoProduct[],
  out: string,
  seed: number,
  opts: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<{ rendered: number; reused: number }> {
  await fs.mkdir(path.join(out, "images"), { recursive: true });
  const cache = new Map<string, Promise<Buffer>>();
  let next = 0;
  let done = 0;
  let rendered = 0;
  let reused = 0;
  const worker = async () => {
    while (next < products.length) {
      const p = products[next++];
      const svg = productSvg(imageSpec(p, seed));
      let png = cache.get(svg);
      if (png) reused++;
      else {
        png = renderSvg(svg);
        rendered++;
        if (cache.size >= 5000) cache.clear(); // bound the memory of the big catalogs
        cache.set(svg, png);
      }
      await fs.writeFile(path.join(out, imageRelativePath(p)), await png);
      opts.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  return { rendered, reused };
}

export function renderSvg(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: "#ffffff" }).png({ compressionLevel: 6 }).toBuffer();
}

// ---------------------------------------------------------------- drawing

export function productSvg(s: ImageSpec): string {
  const metal = METAL_HEX[s.metal];
  const body = SILHOUETTES[s.category](s);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${IMAGE_SIZE}" height="${IMAGE_SIZE}" viewBox="0 0 128 128">` +
    `<defs><linearGradient id="m" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="${mix(metal, "#ffffff", 0.45)}"/><stop offset="0.5" stop-color="${metal}"/>` +
    `<stop offset="1" stop-color="${shade(metal, 0.75)}"/></linearGradient></defs>` +
    `<rect width="128" height="128" fill="#ffffff"/>` +
    `<g transform="translate(${s.dx} ${s.dy}) rotate(${s.rotation} 64 64) translate(64 64) scale(${s.scale}) translate(-64 -64)">` +
    body +
    `</g></svg>`
  );
}

type Draw = (s: ImageSpec) => string;

const SILHOUETTES: Record<Category, Draw> = {
  rings(s) {
    const band = metalStroke(`<circle cx="64" cy="74" r="30" fill="none"/>`, 8);
    if (s.variant === "signet") {
      return band + metalShape(`<rect x="46" y="30" width="36" height="22" rx="6"/>`) + stone(64, 41, 5, s.gem, "square");
    }
    if (s.gem === "none") return metalStroke(`<circle cx="64" cy="70" r="32" fill="none"/>`, 12);
    return band + metalShape(`<circle cx="64" cy="41" r="12"/>`) + stone(64, 40, 9, s.gem, s.cut);
  },
  necklaces(s) {
    if (s.variant === "pearls") {
      let beads = "";
      for (let i = 0; i <= 16; i++) {
        const [x, y] = quad(i / 16, [14, 18], [64, 118], [114, 18]);
        beads += stone(x, y, 5, "pearl", "round");
      }
      return beads;
    }
    if (s.variant === "chain") return metalStroke(`<path d="M14 18 Q64 118 114 18" fill="none" stroke-dasharray="7 3"/>`, 6);
    return (
      metalStroke(`<path d="M14 18 Q64 118 114 18" fill="none" stroke-dasharray="4 2"/>`, 3) +
      metalShape(`<circle cx="64" cy="76" r="11"/>`) +
      stone(64, 77, 8, s.gem === "none" ? "none" : s.gem, s.cut)
    );
  },
  earrings(s) {
    return [40, 88].map((x) => earring(x, s)).join("");
  },
  bracelets(s) {
    if (s.variant === "bangle") return metalStroke(`<ellipse cx="64" cy="64" rx="46" ry="26" fill="none"/>`, 9) + stone(64, 90, 6, s.gem, s.cut);
    if (s.variant === "chain") return metalStroke(`<ellipse cx="64" cy="64" rx="46" ry="26" fill="none" stroke-dasharray="8 3"/>`, 6);
    let stones = "";
    for (let i = 0; i < 7; i++) {
      const a = Math.PI * (0.2 + (0.6 * i) / 6);
      stones += stone(64 + 46 * Math.cos(a), 64 + 26 * Math.sin(a), 4.5, s.gem, "round");
    }
    return metalStroke(`<ellipse cx="64" cy="64" rx="46" ry="26" fill="none"/>`, 5) + stones;
  },
  pendants(s) {
    const chain = metalStroke(`<path d="M40 6 L64 38 L88 6" fill="none"/>`, 2.5) + metalStroke(`<circle cx="64" cy="42" r="4" fill="none"/>`, 2);
    switch (s.variant) {
      case "heart":
        return chain + metalShape(heartPath(64, 74, 40)) + stone(64, 72, 8, s.gem, "round");
      case "drop":
        return chain + metalShape(dropPath(64, 74, 18)) + stone(64, 78, 9, s.gem, s.cut);
      case "cross":
        return chain + metalShape(`<path d="M58 48 h12 v14 h14 v12 h-14 v30 h-12 v-30 h-14 v-12 h14 z"/>`) + stone(64, 68, 4, s.gem, "round");
      case "bar":
        return chain + metalShape(`<rect x="55" y="48" width="18" height="50" rx="3"/>`) + stone(64, 60, 4, s.gem, "round");
      default:
        return chain + metalShape(`<circle cx="64" cy="72" r="22"/>`) + stone(64, 72, 10, s.gem, s.cut);
    }
  },
  brooches(s) {
    if (s.variant === "bar") {
      return metalShape(`<rect x="18" y="56" width="92" height="14" rx="7"/>`) + [40, 64, 88].map((x) => stone(x, 63, 5, s.gem, "round")).join("");
    }
    let petals = "";
    for (let i = 0; i < 6; i++) petals += metalShape(`<ellipse cx="64" cy="40" rx="11" ry="20" transform="rotate(${i * 60} 64 64)"/>`);
    return petals + stone(64, 64, 10, s.gem === "none" ? "none" : s.gem, "round");
  },
  charms(s) {
    const loop = metalStroke(`<circle cx="64" cy="34" r="7" fill="none"/>`, 3);
    if (s.variant === "heart") return loop + metalShape(heartPath(64, 70, 22)) + stone(64, 68, 5, s.gem, "round");
    if (s.variant === "flower") {
      let leaves = "";
      for (let i = 0; i < 4; i++) leaves += metalShape(`<circle cx="64" cy="58" r="10" transform="rotate(${i * 90} 64 70)"/>`);
      return loop + leaves + stone(64, 70, 5, s.gem, "round");
    }
    return loop + metalShape(`<circle cx="64" cy="68" r="18"/>`) + stone(64, 68, 8, s.gem, s.cut);
  },
};

function earring(x: number, s: ImageSpec): string {
  switch (s.variant) {
    case "hoop":
      return metalStroke(`<circle cx="${x}" cy="66" r="18" fill="none"/>`, 5) + stone(x, 84, 4, s.gem, "round");
    case "drop":
      return (
        metalStroke(`<path d="M${x} 22 q-8 0 -8 8 M${x} 22 v20" fill="none"/>`, 2.5) +
        metalShape(dropPath(x, 70, 14)) +
        stone(x, 74, 8, s.gem, s.cut)
      );
    default:
      return metalShape(`<circle cx="${x}" cy="60" r="12"/>`) + stone(x, 60, 8, s.gem, s.cut);
  }
}

/** A metal outline shape: gradient fill with a darker edge for contrast on white. */
function metalShape(shape: string): string {
  return `<g fill="url(#m)" stroke="#000000" stroke-opacity="0.25" stroke-width="1">${shape}</g>`;
}

/** A metal wire or band: a darker edge under the metal-coloured stroke. */
function metalStroke(shape: string, width: number): string {
  return `<g stroke="#000000" stroke-opacity="0.22" stroke-width="${width + 2}">${shape}</g><g stroke="url(#m)" stroke-width="${width}">${shape}</g>`;
}

function stone(cx: number, cy: number, r: number, gem: Gem, cut: StoneCut): string {
  if (gem === "none") return "";
  if (gem === "mix") {
    return (["ruby", "sapphire", "topaz"] as const).map((g, i) => stone(cx + (i - 1) * r * 0.9, cy, r * 0.5, g, "round")).join("");
  }
  const fill = GEM_HEX[gem];
  const edge = shade(fill, 0.55);
  const x = cx.toFixed(1);
  const y = cy.toFixed(1);
  let shape: string;
  switch (cut) {
    case "heart":
      shape = heartPath(cx, cy, r * 2.1);
      break;
    case "drop":
      shape = dropPath(cx, cy, r);
      break;
    case "square":
      shape = `<rect x="${(cx - r * 0.8).toFixed(1)}" y="${(cy - r * 0.8).toFixed(1)}" width="${(r * 1.6).toFixed(1)}" height="${(r * 1.6).toFixed(1)}" transform="rotate(45 ${x} ${y})"/>`;
      break;
    case "oval":
      shape = `<ellipse cx="${x}" cy="${y}" rx="${(r * 0.75).toFixed(1)}" ry="${(r * 1.1).toFixed(1)}"/>`;
      break;
    default:
      shape = `<circle cx="${x}" cy="${y}" r="${r.toFixed(1)}"/>`;
  }
  const glint = `<circle cx="${(cx - r * 0.3).toFixed(1)}" cy="${(cy - r * 0.3).toFixed(1)}" r="${(r * 0.25).toFixed(1)}" fill="#ffffff" fill-opacity="0.7"/>`;
  return `<g fill="${fill}" stroke="${edge}" stroke-width="1.2">${shape}</g>${glint}`;
}

function heartPath(cx: number, cy: number, size: number): string {
  const s = size / 2;
  const f = (v: number) => v.toFixed(1);
  return `<path d="M${f(cx)} ${f(cy + s * 0.9)} C${f(cx - s * 1.4)} ${f(cy)} ${f(cx - s * 0.8)} ${f(cy - s * 1.1)} ${f(cx)} ${f(cy - s * 0.4)} C${f(cx + s * 0.8)} ${f(cy - s * 1.1)} ${f(cx + s * 1.4)} ${f(cy)} ${f(cx)} ${f(cy + s * 0.9)} Z"/>`;
}

function dropPath(cx: number, cy: number, r: number): string {
  const f = (v: number) => v.toFixed(1);
  return `<path d="M${f(cx)} ${f(cy - r * 1.9)} C${f(cx + r * 0.4)} ${f(cy - r)} ${f(cx + r)} ${f(cy - r * 0.4)} ${f(cx + r)} ${f(cy)} A${f(r)} ${f(r)} 0 0 1 ${f(cx - r)} ${f(cy)} C${f(cx - r)} ${f(cy - r * 0.4)} ${f(cx - r * 0.4)} ${f(cy - r)} ${f(cx)} ${f(cy - r * 1.9)} Z"/>`;
}

/** A point on a quadratic Bezier curve. */
function quad(t: number, a: [number, number], b: [number, number], c: [number, number]): [number, number] {
  const u = 1 - t;
  return [u * u * a[0] + 2 * u * t * b[0] + t * t * c[0], u * u * a[1] + 2 * u * t * b[1] + t * t * c[1]];
}

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: number[]): string {
  return "#" + [r, g, b].map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, "0")).join("");
}

function shade(hex: string, f: number): string {
  return toHex(rgb(hex).map((v) => v * f));
}

function mix(a: string, b: string, t: number): string {
  const x = rgb(a);
  const y = rgb(b);
  return toHex(x.map((v, i) => v + (y[i] - v) * t));
}
