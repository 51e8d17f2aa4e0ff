/**
 * Admin GraphQL bulk operations: the queries for the first sync, and start / poll / download.
 *
 * Transport: a plain `fetch` to https://<shop>/admin/api/<version>/graphql.json with the shop's
 * offline access token, injectable so that tests (and the demo) play Shopify. Workers have no
 * request to authenticate, so the token comes from the session table (models/sync.server.ts).
 *
 * Only one bulk query runs per shop at a time (true of every API version up to 2026-10), so the sync runs resources in turn.
 * The queries take only what the recommender needs: no names, phones or addresses beyond region.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

export type FetchLike = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;
export type BulkResource = "products" | "customers" | "orders";

export const BULK_QUERIES: Record<BulkResource, string> = {
  products: `{
  products {
    edges { node {
      id title handle description productType vendor tags status createdAt updatedAt
      featuredImage { url }
      images { edges { node { id url } } }
      variants { edges { node {
        id price compareAtPrice inventoryQuantity inventoryPolicy
        selectedOptions { name value }
        inventoryItem { id tracked }
      } } }
      collections { edges { node { id title handle } } }
      metafields { edges { node { id namespace key value type } } }
    } }
  }
}`,
  customers: `{
  customers {
    edges { node {
      id email createdAt updatedAt tags numberOfOrders locale state
      amountSpent { amount currencyCode }
      emailMarketingConsent { marketingState consentUpdatedAt }
      defaultAddress { countryCodeV2 province city zip }
      metafields { edges { node { id namespace key value type } } }
    } }
  }
}`,
  orders: `{
  orders {
    edges { node {
      id name email createdAt updatedAt processedAt cancelledAt displayFinancialStatus displayFulfillmentStatus tags
      customer { id }
      paymentGatewayNames
      shippingLine { title }
      customAttributes { key value }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
      totalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount currencyCode } }
      lineItems { edges { node {
        id quantity
        product { id }
        originalUnitPriceSet { shopMoney { amount } }
        discountedUnitPriceSet { shopMoney { amount } }
      } } }
    } }
  }
}`,
};

export interface BulkOperation {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED" | string;
  errorCode: string | null;
  objectCount: number;
  url: string | null;
  partialDataUrl: string | null;
}

export class ShopifyApiError extends Error {
  /** False for errors no retry can fix (bad query, missing scope). */
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

export interface AdminClientOptions {
  shop: string;
  accessToken: string;
  apiVersion: string;
  fetch?: FetchLike;
}

/** A minimal Admin GraphQL client on an injectable fetch. */
export class AdminClient {
  private readonly fetch: FetchLike;
  constructor(private readonly o: AdminClientOptions) {
    this.fetch = o.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  get endpoint(): string {
    return `https://${this.o.shop}/admin/api/${this.o.apiVersion}/graphql.json`;
  }

  async graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": this.o.accessToken },
      body: JSON.stringify({ query, variables }),
    });
    if (res.status === 401 || res.status === 403) throw new ShopifyApiError(`Admin API answered ${res.status} for ${this.o.shop}: reinstall the app or grant the scopes in shopify.app.toml`, false);
    if (res.status === 429 || res.status >= 500) throw new ShopifyApiError(`Admin API answered ${res.status} for ${this.o.shop}; retrying later`, true);
    if (!res.ok) throw new ShopifyApiError(`Admin API answered ${res.status} for ${this.o.shop}: ${(await res.text()).slice(0, 300)}`, false);
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) {
      const throttled = body.errors.some((e) => e.extensions?.code === "THROTTLED");
      throw new ShopifyApiError(`Admin API errors: ${body.errors.map((e) => e.message).join("; ")}`, throttled);
    }
    if (!body.data) throw new ShopifyApiError("Admin API answered without data", true);
    return body.data;
  }

  /** Starts a bulk query; a bulk operation already running for the shop is a retryable error. */
  async startBulk(query: string): Promise<BulkOperation> {
    const data = await this.graphql<{ bulkOperationRunQuery: { bulkOperation: BulkOperation | null; userErrors: { field?: string[]; message: string; code?: string }[] } }>(
      `mutation RunBulk($query: String!) {
        bulkOperationRunQuery(query: $query) {
          bulkOperation { id status errorCode objectCount url partialDataUrl }
          userErrors { field message code }
        }
      }`,
      { query },
    );
    const r = data.bulkOperationRunQuery;
    if (r.userErrors.length || !r.bulkOperation) {
      const message = r.userErrors.map((e) => e.message).join("; ") || "no bulk operation returned";
      const busy = /already in progress/i.test(message) || r.userErrors.some((e) => e.code === "OPERATION_IN_PROGRESS");
      throw new ShopifyApiError(`bulkOperationRunQuery: ${message}`, busy);
    }
    return normalise(r.bulkOperation);
  }

  async bulkOperation(id: string): Promise<BulkOperation> {
    const data = await this.graphql<{ node: BulkOperation | null }>(
      `query BulkStatus($id: ID!) { node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } } }`,
      { id },
    );
    if (!data.node) throw new ShopifyApiError(`bulk operation ${id} not found (expired?): the sync starts a new one`, false);
    return normalise(data.node);
  }

  /**
   * Polls until the operation finishes. `onStatus` reports objectCount as it grows; `sleep` is
   * injectable (tests poll without waiting). FAILED, CANCELED and EXPIRED throw.
   */
  async waitForBulk(id: string, opts: { intervalMs?: number; timeoutMs?: number; sleep?: (ms: number) => Promise<void>; onStatus?: (op: BulkOperation) => void | Promise<void> } = {}): Promise<BulkOperation> {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const interval = opts.intervalMs ?? 2000;
    const deadline = opts.timeoutMs ?? 6 * 3600 * 1000;
    for (let waited = 0; ; waited += interval) {
      const op = await this.bulkOperation(id);
      await opts.onStatus?.(op);
      if (op.status === "COMPLETED") return op;
      if (["FAILED", "CANCELED", "EXPIRED"].includes(op.status)) {
        throw new ShopifyApiError(`bulk operation ${id} ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ""}`, op.status !== "CANCELED");
      }
      if (waited >= deadline) throw new ShopifyApiError(`bulk operation ${id} still ${op.status} after ${Math.round(waited / 1000)} s`, true);
      await sleep(interval);
    }
  }

  /** Streams the result file to `file` (written beside, then renamed: a crash leaves no half file). */
  async download(url: string, file: string): Promise<number> {
    const res = await this.fetch(url, { method: "GET" });
    if (!res.ok || !res.body) throw new ShopifyApiError(`download of the bulk result answered ${res.status}`, res.status >= 500 || res.status === 429);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.part`;
    // Customers' names and addresses until the sync applies and deletes it: the owner's only.
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream), fs.createWriteStream(tmp, { mode: 0o600 }));
    fs.renameSync(tmp, file);
    return fs.statSync(file).size;
  }
}

function normalise(op: BulkOperation): BulkOperation {
  return {
    id: op.id,
    status: op.status,
    errorCode: op.errorCode ?? null,
    objectCount: Number(op.objectCount ?? 0),
    url: op.url ?? null,
    partialDataUrl: op.partialDataUrl ?? null,
  };
}

// ---------------------------------------------------------------- transport for the jobs

let fetchOverride: FetchLike | undefined;

/** Tests and the demo replace the network; undefined restores globalThis.fetch. */
export function setShopifyFetch(f: FetchLike | undefined): void {
  fetchOverride = f;
}

export function shopifyFetch(): FetchLike | undefined {
  return fetchOverride;
}
