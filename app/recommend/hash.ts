/**
 * The core's non-cryptographic hashes, in one place: seeds of deterministic per-request choices
 * (the random source, diversity's tie-breaks), experiment buckets, demo streams. None of these
 * protect anything; identifiers of people are hashed with a keyed HMAC outside the core
 * (app/privacy), never with these.
 */
import type { RecContext } from "./types";

/** FNV-1a over UTF-16 code units (32 bits, unsigned). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: full avalanche, so near-identical inputs land far apart. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A text's well-mixed 32-bit hash: FNV-1a, then the finaliser (experiment buckets). */
export function hashText32(text: string): number {
  return fmix32(fnv1a(text));
}

/** An integer's 32-bit mix (a cheap bijective scrambler for seeds and strides). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit seed of the request's identity and day (not the exact time: stable within a day). */
export function requestSeed(ctx: RecContext): number {
  const day = Math.floor(ctx.now / 86_400_000);
  return fnv1a(`${ctx.customer?.id ?? ""}|${ctx.item ?? ""}|${ctx.cart.join(",")}|${ctx.placement}|${day}`);
}
