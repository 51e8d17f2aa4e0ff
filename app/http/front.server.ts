/**
 * The storefront's lean path (issue 17, point 3): a plain node:http handler in front of Remix. The
 * hot, public routes — /api/recommendations, the app proxy (/proxy/recommendations, /proxy/events,
 * and in demo mode its stand-in /apps/facet/*), /ingest, /healthz and /readyz — are answered here
 * by the same handler functions their Remix routes call (app/http/api.server.ts,
 * app/storefront/proxy.server.ts, app/shopify/ingest.server.ts, app/http/probes.server.ts), without
 * Express, Remix's route matching, the `public/` lookup or per-request logging (≈ 1.1 ms of CPU per
 * request measured on /healthz, against ≈ 0.15 ms for plain node:http). Every other request, and
 * any method a route here does not take, goes to `fallback` (Express + Remix: the admin, pages,
 * assets, webhooks), so a request answers exactly as it did through Remix alone.
 *
 * scripts/start.mjs (`npm start`, the demo, the prod and browser tests, the bench) builds its
 * server from this; `remix vite:dev` still reaches the Remix routes, which wrap the same functions.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { systemClock } from "../clock";
import { env } from "../env.server";
import { handleIngest, corsHeaders as ingestCors } from "../shopify/ingest.server";
import { forwardAsShopifyProxy } from "../storefront/demoProxy.server";
import { requireDemo } from "../storefront/demoMode.server";
import { handleEvents, handleRecommendations } from "../storefront/proxy.server";
import { handleApiOtherMethod, handleApiRecommendations } from "./api.server";
import { healthz, readyz } from "./probes.server";

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;
type WebHandler = (request: Request) => Response | Promise<Response>;

const proxyOpts = () => ({ secret: env().SHOPIFY_API_SECRET, nowMs: systemClock.nowMs() });

/** Path -> method -> handler. A method not listed goes to Remix (which answers it as before). */
const ROUTES: Record<string, Partial<Record<string, WebHandler>>> = {
  "/healthz": { GET: () => healthz() },
  "/readyz": { GET: () => readyz() },
  "/api/recommendations": { GET: handleApiRecommendations, OPTIONS: handleApiOtherMethod },
  "/proxy/recommendations": { GET: (r) => handleRecommendations(r, proxyOpts()) },
  "/proxy/events": { POST: (r) => handleEvents(r, proxyOpts()) },
  "/apps/facet/recommendations": { GET: (r) => forwardAsShopifyProxy(r, requireDemo(), "recommendations", handleRecommendations) },
  "/apps/facet/events": { POST: (r) => forwardAsShopifyProxy(r, requireDemo(), "events", handleEvents) },
  "/ingest": {
    POST: (r) => handleIngest(r),
    OPTIONS: (r) => handleIngest(r),
    GET: (r) => new Response("POST events here", { status: 405, headers: { ...ingestCors(r), Allow: "POST, OPTIONS" } }),
  },
};

/** The lean routes' paths (tests, the bench). */
export const FRONT_PATHS = Object.keys(ROUTES);

/** The Web Request for a node request: URL from the Host header (as the Remix Express adapter builds it). */
export function toWebRequest(req: IncomingMessage, clientIp?: string): Request {
  const host = req.headers.host && /^[\w.:[\]-]+$/.test(req.headers.host) ? req.headers.host : "localhost";
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // a header value fetch's Headers refuses (control characters): Express passed it on, the handlers never read it
    }
  }
  // The caller's address as scripts/start.mjs computes it (FACET_TRUST_PROXY), never the client's claim.
  headers.delete("x-facet-client-ip");
  if (clientIp !== undefined) headers.set("x-facet-client-ip", clientIp);
  const method = req.method ?? "GET";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (method !== "GET" && method !== "HEAD") {
    init.body = Readable.toWeb(req) as unknown as ReadableStream;
    init.duplex = "half";
  }
  return new Request(`http://${host}${req.url ?? "/"}`, init);
}

/** Writes a Web Response to the node response (bodies here are small: buffered, with a length). */
export async function sendWebResponse(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== "set-cookie") headers[k] = v;
  });
  // As Express's res.set does for the Remix adapter: a textual type without a charset gets utf-8.
  const type = headers["content-type"];
  if (typeof type === "string" && !/;\s*charset=/i.test(type) && /^(text\/|application\/(json|javascript)\b)/i.test(type)) headers["content-type"] = `${type}; charset=utf-8`;
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  if (body && !headers["content-length"] && !headers["transfer-encoding"]) headers["content-length"] = String(body.length);
  // Answered before the body was read to its end: the connection closes after this answer, as
  // scripts/start.mjs does for Express + Remix (closeWhenBodyUnread), so the two paths agree and
  // no next request waits behind an unread body.
  if (res.req && !res.req.complete) headers["connection"] = "close";
  res.writeHead(response.status, headers);
  if (body && !head) res.write(body);
  // An answer given before the body was read to its end (a 413 while a large body still arrives):
  // closing now would make the kernel reset the connection on the next incoming bytes, and a reset
  // can discard the answer the client has not read yet. Read and drop a bounded rest first.
  if (res.req && !res.req.complete) await lingerDiscard(res.req);
  res.end();
}

/** At most this much of an unread body is dropped, for at most this long, before the close. */
const LINGER_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 2000;

/**
 * Reads and drops what is left of a request body (the web stream's reader was released, so its
 * adapter's listener is replaced by one that keeps nothing), until the body ends, LINGER_BYTES
 * were dropped or LINGER_MS passed: memory stays flat and the client has time to read the answer.
 */
function lingerDiscard(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let dropped = 0;
    const finish = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", finish);
      req.off("close", finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > LINGER_BYTES) finish();
    };
    const timer = setTimeout(finish, LINGER_MS);
    req.removeAllListeners("data");
    req.on("data", onData);
    req.on("end", finish);
    req.on("close", finish);
    req.resume();
  });
}

/**
 * The server's request listener: the lean routes, else `fallback`. A handler that throws a
 * Response (requireDemo's 404) is answered with it, as Remix does; any other error is a logged 500.
 */
export function createFrontHandler(fallback: NodeHandler, opts: { clientIp?: (req: IncomingMessage) => string } = {}): NodeHandler {
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const route = ROUTES[q < 0 ? url : url.slice(0, q)];
    const method = req.method === "HEAD" ? "GET" : req.method ?? "GET";
    const handler = route?.[method];
    if (!handler) return fallback(req, res);
    void (async () => {
      let response: Response;
      try {
        response = await handler(toWebRequest(req, opts.clientIp?.(req) ?? req.socket.remoteAddress ?? "unknown"));
      } catch (e) {
        if (e instanceof Response) response = e;
        else {
          console.error(`[front] ${req.method} ${url.slice(0, 200)}: ${(e as Error)?.stack ?? e}`);
          response = new Response("Unexpected Server Error", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
        }
      }
      await sendWebResponse(res, response, req.method === "HEAD");
    })().catch((e) => {
      console.error(`[front] ${req.method} ${url.slice(0, 200)}: writing the answer failed: ${(e as Error)?.message ?? e}`);
      res.destroy();
    });
  };
}
