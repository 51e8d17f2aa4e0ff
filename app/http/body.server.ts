/**
 * Bounded request bodies, shared by the Remix routes and the lean node:http front (app/serving):
 * a body is read chunk by chunk and the read stops (the stream is cancelled) as soon as it passes
 * the route's limit, so a 200 MB POST costs at most `limit` bytes of memory, whether or not it
 * declares a Content-Length, and nothing is parsed or verified before the limit holds.
 */
import { MAX_BODY_BYTES } from "../shopify/pixelEvents";

/** Documented body limits per route (README, "HTTP routes"). */
export const BODY_LIMITS = {
  /** Shopify webhooks: the largest REST payloads (orders with hundreds of lines) stay under 1 MB. */
  webhooks: 2 * 1024 * 1024,
  /** Web pixel batches. */
  ingest: MAX_BODY_BYTES,
  /** Theme block events through the app proxy (one event, a few hundred bytes). */
  proxyEvents: 10_000,
} as const;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

/** The body as bytes, or BodyTooLarge as soon as more than `limit` bytes arrived (or were declared). */
export async function readBodyLimited(request: Request, limit: number): Promise<Buffer> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > limit) throw new BodyTooLarge(limit);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop reading (backpressure holds the rest in the kernel) rather than cancel: cancelling
      // destroys the socket before the 413 is written. The answer closes the connection instead.
      reader.releaseLock();
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** Headers of a 413: the unread rest of the body is not waited for, the connection closes after the answer. */
export const TOO_LARGE_HEADERS = { Connection: "close" } as const;

/** As readBodyLimited, decoded as UTF-8 text. */
export async function readTextLimited(request: Request, limit: number): Promise<string> {
  return (await readBodyLimited(request, limit)).toString("utf8");
}

/**
 * A JSON answer that works under every fetch implementation the app runs on (remix-serve's
 * globals have no static Response.json).
 */
export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "Content-Type": "application/json; charset=utf-8", ...init.headers },
  });
}
