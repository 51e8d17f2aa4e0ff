/**
 * Fetching product images: http(s) with a timeout per attempt, retries with exponential backoff,
 * a size cap, a content-type check, and concurrency limits (overall and per host, so that one
 * slow CDN holds at most a few slots and never stalls the batch); local files by absolute path,
 * file:// URL, or a path relative to the folder the shop was imported from.
 * A failure is a value ({ok: false, reason}), never a thrown error: one bad image never aborts a batch.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface FetchOptions {
  /** Folder that relative paths are resolved against (the shop's import folder). */
  baseDir?: string | null;
  /** Per attempt, in ms. */
  timeoutMs?: number;
  /** Extra attempts after the first, for network errors, timeouts, 429 and 5xx. */
  retries?: number;
  /** First backoff in ms; doubles per attempt (with jitter). */
  backoffMs?: number;
  /** Bytes; larger images are refused (a 20 MB "product photo" is a mistake upstream). */
  maxBytes?: number;
  /** Injected for tests. */
  fetchFn?: typeof fetch;
}

export const FETCH_DEFAULTS = {
  timeoutMs: 15_000,
  retries: 2,
  backoffMs: 500,
  maxBytes: 15 * 1024 * 1024,
  concurrency: 12,
  perHost: 4,
} as const;

export type FetchResult =
  | { ok: true; bytes: Buffer; hash: string; source: string }
  | { ok: false; reason: string; source: string; retryable: boolean };

export function sha256(bytes: Buffer | Uint8Array): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

export function isHttpUrl(ref: string): boolean {
  return /^https?:\/\//i.test(ref);
}

/** Where a non-http reference lives on disk, or an error message saying why it cannot be found. */
export function resolveLocalPath(ref: string, baseDir?: string | null): { file: string } | { error: string } {
  if (/^file:\/\//i.test(ref)) return { file: fileURLToPath(ref) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return { error: `unsupported URL scheme in "${ref}" (use http, https, file or a path)` };
  if (path.isAbsolute(ref)) return { file: ref };
  if (!baseDir) {
    return {
      error: `relative image path "${ref}" but no import folder is known for this shop (import the shop again, or set FACET_IMAGE_BASE_DIR)`,
    };
  }
  return { file: path.resolve(baseDir, ref) };
}

/** Image magic numbers: a server that says text/html but sends a JPEG is believed; the reverse is not. */
export function sniffImageType(b: Uint8Array): string | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "image/png";
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === "RIFF" && String.fromCharCode(...b.subarray(8, 12)) === "WEBP") return "image/webp";
  if (b.length >= 6 && String.fromCharCode(...b.subarray(0, 3)) === "GIF") return "image/gif";
  if (b.length >= 12 && String.fromCharCode(...b.subarray(4, 12)).startsWith("ftypavif")) return "image/avif";
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a))) return "image/tiff";
  const head = Buffer.from(b.subarray(0, 256)).toString("utf8").trimStart();
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "image/svg+xml";
  return null;
}

async function readLocal(ref: string, opts: FetchOptions): Promise<FetchResult> {
  const where = resolveLocalPath(ref, opts.baseDir);
  if ("error" in where) return { ok: false, reason: where.error, source: ref, retryable: false };
  const maxBytes = opts.maxBytes ?? FETCH_DEFAULTS.maxBytes;
  try {
    const st = await fs.stat(where.file);
    if (!st.isFile()) return { ok: false, reason: `not a file: ${where.file}`, source: where.file, retryable: false };
    if (st.size > maxBytes) return { ok: false, reason: `too large: ${st.size} bytes > ${maxBytes}`, source: where.file, retryable: false };
    const bytes = await fs.readFile(where.file);
    if (!sniffImageType(bytes)) return { ok: false, reason: `not an image (unknown file signature): ${where.file}`, source: where.file, retryable: false };
    return { ok: true, bytes, hash: sha256(bytes), source: where.file };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? `file not found: ${where.file}` : `cannot read ${where.file}: ${(e as Error).message}`;
    return { ok: false, reason, source: where.file, retryable: code !== "ENOENT" };
  }
}

/** Reads a response body up to maxBytes; aborts the transfer beyond it. */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer | null> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function httpAttempt(url: string, opts: FetchOptions): Promise<FetchResult> {
  const fetchFn = opts.fetchFn ?? fetch;
  const timeoutMs = opts.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const maxBytes = opts.maxBytes ?? FETCH_DEFAULTS.maxBytes;
  // The timeout covers the whole transfer (headers and body): a CDN trickling bytes is slow too.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchFn(url, { signal, redirect: "follow", headers: { accept: "image/*" } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const retryable = res.status === 429 || res.status >= 500;
      return { ok: false, reason: `HTTP ${res.status}`, source: url, retryable };
    }
    const declared = Number(res.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `too large: ${declared} bytes > ${maxBytes}`, source: url, retryable: false };
    }
    const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const bytes = await readCapped(res, maxBytes);
    if (!bytes) return { ok: false, reason: `too large: more than ${maxBytes} bytes`, source: url, retryable: false };
    const sniffed = sniffImageType(bytes);
    if (!sniffed) {
      return { ok: false, reason: `not an image (content-type "${type || "none"}", unknown signature)`, source: url, retryable: false };
    }
    return { ok: true, bytes, hash: sha256(bytes), source: url };
  } catch (e) {
    const err = e as Error;
    const reason = err.name === "TimeoutError" || err.name === "AbortError" ? `timeout after ${timeoutMs} ms` : `network error: ${err.message}`;
    return { ok: false, reason, source: url, retryable: true };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One image by URL or path; retries transient http failures with exponential backoff and jitter. */
export async function fetchImage(ref: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const trimmed = ref.trim();
  if (!trimmed) return { ok: false, reason: "empty image reference", source: ref, retryable: false };
  if (!isHttpUrl(trimmed)) return readLocal(trimmed, opts);
  const retries = opts.retries ?? FETCH_DEFAULTS.retries;
  const backoff = opts.backoffMs ?? FETCH_DEFAULTS.backoffMs;
  let last: FetchResult | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
    last = await httpAttempt(trimmed, opts);
    if (last.ok || !last.retryable) return last;
  }
  const failed = last as Extract<FetchResult, { ok: false }>;
  return { ...failed, reason: `${failed.reason} (after ${retries + 1} attempts)` };
}

/** A counting semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Fetches with an overall limit and a per-host limit: a slow host occupies at most `perHost`
 * of the `concurrency` slots, so images from other hosts (and local files) keep flowing.
 */
export class ImageFetcher {
  private readonly all: Limiter;
  private readonly hosts = new Map<string, Limiter>();
  constructor(private readonly opts: FetchOptions & { concurrency?: number; perHost?: number } = {}) {
    this.all = new Limiter(opts.concurrency ?? FETCH_DEFAULTS.concurrency);
  }

  private hostLimiter(ref: string): Limiter | null {
    if (!isHttpUrl(ref)) return null;
    const host = new URL(ref).host;
    let l = this.hosts.get(host);
    if (!l) this.hosts.set(host, (l = new Limiter(this.opts.perHost ?? FETCH_DEFAULTS.perHost)));
    return l;
  }

  fetch(ref: string): Promise<FetchResult> {
    let host: Limiter | null;
    try {
      host = this.hostLimiter(ref.trim());
    } catch {
      return Promise.resolve({ ok: false, reason: `malformed URL "${ref}"`, source: ref, retryable: false });
    }
    // Per-host first: waiting for a busy host must not hold one of the overall slots.
    const go = () => this.all.run(() => fetchImage(ref, this.opts));
    return host ? host.run(go) : go();
  }
}
