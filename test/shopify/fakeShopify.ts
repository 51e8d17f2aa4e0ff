/**
 * Shopify's side of an install, offline: App Bridge session tokens (ID tokens) signed as Shopify
 * signs them, and a `fetch` that answers the endpoints the app and the library call.
 *
 * Shapes follow Shopify's documentation:
 * - Session token: HS256 JWT signed with the app's client secret; claims iss `https://<shop>/admin`,
 *   dest `https://<shop>`, aud = client id, sub = user id, exp/nbf/iat, jti, sid
 *   (shopify.dev/docs/apps/build/authentication-authorization/session-tokens).
 * - Token exchange: POST https://<shop>/admin/oauth/access_token with client_id, client_secret,
 *   grant_type `urn:ietf:params:oauth:grant-type:token-exchange`, subject_token (the ID token),
 *   subject_token_type `urn:ietf:params:oauth:token-type:id_token`, requested_token_type
 *   (offline/online). Offline answer `{access_token, scope}`; online adds expires_in,
 *   associated_user_scope and associated_user; a bad subject token is 400
 *   `{error: "invalid_subject_token"}` (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange).
 * - Admin GraphQL: POST https://<shop>/admin/api/<version>/graphql.json with X-Shopify-Access-Token;
 *   401 for a token Shopify does not know (revoked by uninstall). webPixelCreate / webPixelUpdate /
 *   webPixel, and the bulk operation calls the first sync makes (bulkOperationRunQuery, node(id:)),
 *   with the result file on a separate storage host.
 * Everything else is "unreachable" (a TypeError, as undici throws offline) and recorded.
 *
 * The library captures `globalThis.fetch` when it is first imported (@shopify/shopify-api's
 * web-api adapter: `setAbstractFetchFunc(fetch)`), so install `fake.fetch` with vi.stubGlobal
 * BEFORE importing app/shopify.server.ts.
 */
import crypto from "node:crypto";
import { parseEnv } from "../../app/env.server";
import { fixture } from "./helpers";

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export interface SessionTokenClaims {
  shop: string;
  apiKey: string;
  secret: string;
  sub?: string;
  /** Seconds since the epoch; default now. */
  now?: number;
  /** Lifetime in seconds (Shopify issues 60). */
  ttl?: number;
}

/** An App Bridge session token (ID token) as Shopify issues it. */
export function sessionToken(o: SessionTokenClaims): string {
  const now = Math.floor(o.now ?? Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${o.shop}/admin`,
      dest: `https://${o.shop}`,
      aud: o.apiKey,
      sub: o.sub ?? "84512345",
      exp: now + (o.ttl ?? 60),
      nbf: now - 1,
      iat: now - 1,
      jti: crypto.randomUUID(),
      sid: crypto.randomBytes(16).toString("hex"),
    }),
  );
  const sig = crypto.createHmac("sha256", o.secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}

/** Verifies an ID token the way Shopify's token endpoint must: signature, audience, time, destination. */
function verifyIdToken(token: string, shop: string, apiKey: string, secret: string): string | null {
  const [h, p, s] = token.split(".");
  if (!h || !p || !s) return "malformed";
  const expected = crypto.createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url");
  if (expected.length !== s.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(s))) return "bad signature";
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = Date.now() / 1000;
  if (claims.aud !== apiKey) return "wrong audience";
  if (typeof claims.exp !== "number" || claims.exp < now) return "expired";
  if (claims.dest !== `https://${shop}`) return "wrong shop";
  return null;
}

export interface GraphqlCall {
  shop: string;
  version: string;
  token: string;
  query: string;
  variables: Record<string, unknown> | undefined;
}

export interface TokenExchangeCall {
  shop: string;
  body: Record<string, string>;
  answered: number;
}

export interface FakeShopifyOptions {
  apiKey: string;
  secret: string;
  /** The scopes granted (the TOML's). */
  scope: string;
  /** JSONL bodies of the bulk exports, per resource; a resource not listed exports an empty file. */
  bulk?: Partial<Record<"products" | "customers" | "orders", string>>;
}

const USER = { id: 84512345, first_name: "Mara", last_name: "Huber", email: "mara@example.com", email_verified: true, account_owner: true, locale: "de", collaborator: false };

export class FakeShopify {
  readonly tokenExchanges: TokenExchangeCall[] = [];
  readonly graphql: GraphqlCall[] = [];
  readonly unreachable: string[] = [];
  /** Access tokens Shopify currently honours, by shop. */
  private readonly tokens = new Map<string, Set<string>>();
  private readonly offline = new Map<string, string>();
  /** The app's web pixel per shop (Shopify keeps one per app and shop). */
  readonly pixels = new Map<string, { id: string; settings: string }>();
  private readonly bulkOps = new Map<string, string>();
  private seq = 0;

  constructor(private readonly o: FakeShopifyOptions) {}

  /** What Shopify does on uninstall: revokes the app's tokens and removes its web pixel. */
  uninstall(shop: string): void {
    this.tokens.delete(shop);
    this.offline.delete(shop);
    this.pixels.delete(shop);
  }

  graphqlCalls(match: string | RegExp): GraphqlCall[] {
    return this.graphql.filter((c) => (typeof match === "string" ? c.query.includes(match) : match.test(c.query)));
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const body = req.method === "GET" ? "" : await req.text();
    if (url.hostname === "storage.shopify-bulk.example" && req.method === "GET") {
      const resource = url.pathname.split("/").pop()!.replace(".jsonl", "") as "products";
      return new Response(this.o.bulk?.[resource] ?? "", { headers: { "Content-Type": "application/jsonl" } });
    }
    if (url.hostname.endsWith(".myshopify.com") && url.pathname === "/admin/oauth/access_token" && req.method === "POST") {
      return this.tokenExchange(url.hostname, req.headers.get("content-type") ?? "", body);
    }
    const gql = /^\/admin\/api\/(\d{4}-\d{2})\/graphql\.json$/.exec(url.pathname);
    if (url.hostname.endsWith(".myshopify.com") && gql && req.method === "POST") {
      return this.adminGraphql(url.hostname, gql[1], req.headers.get("x-shopify-access-token") ?? "", body);
    }
    this.unreachable.push(`${req.method} ${req.url}`);
    throw new TypeError(`fetch failed: ${url.hostname} is unreachable (offline test)`);
  };

  private tokenExchange(shop: string, contentType: string, text: string): Response {
    const body = (contentType.includes("json") ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text))) as Record<string, string>;
    const call: TokenExchangeCall = { shop, body, answered: 0 };
    this.tokenExchanges.push(call);
    const answer = (status: number, payload: unknown) => {
      call.answered = status;
      return new Response(JSON.stringify(payload), { status, headers: { "Content-Type": "application/json" } });
    };
    if (body.client_id !== this.o.apiKey || body.client_secret !== this.o.secret) return answer(401, { error: "invalid_client" });
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange" || body.subject_token_type !== "urn:ietf:params:oauth:token-type:id_token") {
      return answer(400, { error: "unsupported_grant_type" });
    }
    const bad = verifyIdToken(body.subject_token ?? "", shop, this.o.apiKey, this.o.secret);
    if (bad) return answer(400, { error: "invalid_subject_token", error_description: bad });
    if (!this.tokens.has(shop)) this.tokens.set(shop, new Set());
    const issued = this.tokens.get(shop)!;
    const newToken = () => {
      const t = `shpat_${crypto.randomBytes(16).toString("hex")}`;
      issued.add(t);
      return t;
    };
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:offline-access-token") {
      // A (non-expiring) offline token is one per installation: asking again returns the same token
      // until the app is uninstalled.
      let offline = this.offline.get(shop);
      if (!offline) this.offline.set(shop, (offline = newToken()));
      return answer(200, { access_token: offline, scope: this.o.scope });
    }
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") {
      return answer(200, { access_token: newToken(), scope: this.o.scope, expires_in: 86399, associated_user_scope: this.o.scope, associated_user: USER });
    }
    return answer(400, { error: "invalid_request", error_description: "requested_token_type" });
  }

  private adminGraphql(shop: string, version: string, token: string, text: string): Response {
    if (!this.tokens.get(shop)?.has(token)) {
      return new Response(JSON.stringify({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }), {
        status: 401,
        headers: { "Content-Type": "application/json" },
      });
    }
    const { query, variables } = JSON.parse(text) as { query: string; variables?: Record<string, unknown> };
    this.graphql.push({ shop, version, token, query, variables });
    const data = (d: unknown) => new Response(JSON.stringify({ data: d, extensions: { cost: { requestedQueryCost: 10 } } }), { headers: { "Content-Type": "application/json" } });

    if (/\bwebPixelCreate\(/.test(query)) {
      if (this.pixels.has(shop)) {
        return data({ webPixelCreate: { webPixel: null, userErrors: [{ code: "TAKEN", field: ["webPixel"], message: "Web pixel is taken." }] } });
      }
      const pixel = { id: `gid://shopify/WebPixel/${++this.seq}`, settings: String(variables?.settings) };
      this.pixels.set(shop, pixel);
      return data({ webPixelCreate: { webPixel: pixel, userErrors: [] } });
    }
    if (/\bwebPixelUpdate\(/.test(query)) {
      const pixel = this.pixels.get(shop);
      if (!pixel || pixel.id !== variables?.id) return data({ webPixelUpdate: { webPixel: null, userErrors: [{ code: "NOT_FOUND", field: ["id"], message: "Web pixel not found." }] } });
      pixel.settings = String(variables?.settings);
      return data({ webPixelUpdate: { webPixel: pixel, userErrors: [] } });
    }
    if (/\bwebPixel\s*\{/.test(query)) {
      const pixel = this.pixels.get(shop);
      if (!pixel) return new Response(JSON.stringify({ data: { webPixel: null }, errors: [{ message: "No web pixel was found for this app.", path: ["webPixel"] }] }), { headers: { "Content-Type": "application/json" } });
      return data({ webPixel: pixel });
    }
    if (query.includes("bulkOperationRunQuery")) {
      const resource = /^\{\s*(\w+)/.exec(String(variables?.query))?.[1] ?? "unknown";
      const id = `gid://shopify/BulkOperation/${++this.seq}`;
      this.bulkOps.set(id, resource);
      return data({ bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED", errorCode: null, objectCount: "0", url: null, partialDataUrl: null }, userErrors: [] } });
    }
    if (query.includes("node(id:")) {
      const resource = this.bulkOps.get(String(variables?.id));
      if (!resource) return data({ node: null });
      const lines = (this.o.bulk?.[resource as "products"] ?? "").split("\n").filter(Boolean).length;
      // An export with no objects has no file: Shopify answers url null.
      const url = lines ? `https://storage.shopify-bulk.example/${resource}.jsonl` : null;
      return data({ node: { id: variables!.id, status: "COMPLETED", errorCode: null, objectCount: String(lines), url, partialDataUrl: null } });
    }
    return new Response(JSON.stringify({ errors: [{ message: `the fake does not know this query: ${query.slice(0, 80)}` }] }), { status: 200, headers: { "Content-Type": "application/json" } });
  }
}

/** The scopes the app asks for by default (the env module's SCOPES default), as Shopify grants them. */
export const DEFAULT_SCOPE = parseEnv({}).SCOPES;

/** The `host` query parameter the Shopify admin adds: base64url of admin.shopify.com/store/<name>. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
}

/** A fake Shopify for one app, whose bulk exports are our own fixture JSONL files. */
export function fakeShopifyWithFixtures(apiKey: string, secret: string): FakeShopify {
  return new FakeShopify({
    apiKey,
    secret,
    scope: DEFAULT_SCOPE,
    bulk: { products: fixture("bulk-products.jsonl"), customers: fixture("bulk-customers.jsonl"), orders: fixture("bulk-orders.jsonl") },
  });
}
