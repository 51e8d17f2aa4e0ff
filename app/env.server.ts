/**
 * The one validated configuration, shared by the Remix app, the workers and the CLI.
 * Every key is documented here with its default; README.md's configuration table mirrors it.
 * A missing or malformed value stops start-up with a message naming the variable and what to set.
 */
import path from "node:path";
import { z } from "zod";

const optionalUrl = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(v), {
      message: `must be a URL such as ${what}`,
    });

const schema = z.object({
  /** The database: SQLite `file:` (default: a file under ./data) or PostgreSQL `postgresql://` (docs/decisions/0160). */
  DATABASE_URL: z
    .string()
    .default("file:./data/facet.db")
    .refine((v) => v.startsWith("file:") || isPostgresUrl(v), {
      message: "must be a SQLite URL such as file:./data/facet.db or a PostgreSQL URL such as postgresql://user@host:5432/facet",
    }),
  /** Redis for BullMQ. Unset: jobs run in-process (the embedded default). */
  REDIS_URL: optionalUrl("redis://127.0.0.1:6379"),
  /** Where trained model versions and nearest-neighbour indexes are written. */
  FACET_DATA_DIR: z.string().default("./data"),
  /**
   * Where model artifacts (model versions, serving bundles, visual indexes) are stored
   * (docs/decisions/0200-artifact-store.md): "local" (default) is the data folder, for one machine;
   * "database" stores them in the database itself (Artifact, ArtifactChunk), written by the workers
   * and fetched by every web machine into a cache under the data folder by content hash: for machines
   * that share no disk (PostgreSQL). Every process of a fleet must use the same value.
   */
  FACET_ARTIFACT_STORE: z.enum(["local", "database"]).default("local"),
  /** Model versions kept per shop (the newest, the published one always among them); older ones are garbage-collected after each training. Default 3. */
  FACET_MODEL_VERSIONS_KEEP: z.coerce.number().int().min(1).max(1000).default(3),
  /**
   * Memory bound of a web process's serving data, in MB (issue 16 point 5): the snapshots of the shops
   * it was asked for are held least recently used first out once their estimated size passes it, and
   * loaded again on demand. Default 2048. The shop being answered is never evicted.
   */
  FACET_SERVING_CACHE_MB: z.coerce.number().min(1).default(2048),
  /**
   * How often (ms) a web process reads the change counters of the shops it serves, in one query, to
   * pick up new model versions, settings and experiments written by other machines (issue 16 point 4).
   * Default 1000 without REDIS_URL; with REDIS_URL changes arrive by pub/sub at once and the read is
   * a safety net every 10 000 ms.
   */
  FACET_CHANGE_POLL_MS: z.coerce.number().int().min(100).optional(),
  /** Shopify app credentials (Partner dashboard). Required only to serve the embedded app. */
  SHOPIFY_API_KEY: z.string().default(""),
  SHOPIFY_API_SECRET: z.string().default(""),
  SHOPIFY_APP_URL: optionalUrl("https://facet.example.com"),
  SCOPES: z.string().default("read_products,read_orders,read_customers,read_inventory,write_pixels,read_customer_events"),
  /** ONNX image model (1280-d MobileNetV2). Unset: the colour descriptor is the only visual signal. */
  IMAGE_MODEL_PATH: z.string().trim().optional().transform((v) => (v ? v : undefined)),
  /** Folder that relative product image paths are resolved against when a shop has no recorded import folder (Setting "import.dir"). Unset: none. */
  FACET_IMAGE_BASE_DIR: z.string().trim().optional().transform((v) => (v ? v : undefined)),
  /** Key for headless storefronts calling /api/recommendations directly. Unset: the API needs the app proxy signature. */
  FACET_API_KEY: z.string().optional(),
  /** Default shop for the CLI and the demo. */
  FACET_SHOP: z.string().default("demo.myshopify.com"),
  /**
   * Demo mode: "1" serves the admin pages outside Shopify under /demo, the demo storefront under
   * /demo/storefront and a stand-in for Shopify's app proxy under /apps/facet (signing requests for
   * the demo shop). Default "": demo mode is on only when NODE_ENV is not "production"
   * (`npm run demo` sets "1"). Never set it on a server that holds real shops' data.
   */
  FACET_DEMO: z.enum(["", "0", "1"]).default(""),
  /** HTTP port of the server (npm start, the demo). 0: any free port (tests; the log line names it). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** debug | info | warn | error */
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** BullMQ key prefix in Redis: the app, its workers and the rate limits share it; tests use their own. */
  FACET_QUEUE_PREFIX: z.string().regex(/^[\w.-]+$/, { message: "letters, digits, '.', '_' and '-' only" }).default("facet"),
  /** Worker concurrency per queue when REDIS_URL is set. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Web pixel ingest (POST /ingest): events one storefront client may send per minute. */
  INGEST_CLIENT_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /**
   * Theme block events (POST /apps/facet/events: impressions, clicks, add-to-carts): events one
   * shopper (client id, customer, else IP address) may send per minute; more are dropped as bot traffic.
   */
  BLOCK_EVENTS_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Web pixel ingest: events one shop may send per minute, all clients together. */
  INGEST_SHOP_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).default(20000),
  /**
   * Web pixel ingest: client ids Facet has never seen that one shop may start per minute (rotating
   * the client id must not bypass the per-client limit). Counted in Redis when REDIS_URL is set.
   */
  INGEST_NEW_CLIENTS_PER_SHOP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Days finished job rows (JobRun) and webhook deliveries are kept (app/models/delivery.server.ts). */
  FACET_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Debounce window of the retrain check after new orders and events (default 60 000 ms; tests shorten it). */
  RETRAIN_CHECK_WINDOW_MS: z.coerce.number().int().min(0).optional(),
  /** Web pixel ingest: new client ids one IP address may start per minute in one shop. */
  INGEST_NEW_CLIENTS_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(20),
});

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Parses an environment; throws ConfigError naming each bad variable and what to set. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  ${i.path.join(".")}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])])})`,
    );
    throw new ConfigError(
      `Facet's configuration is invalid:\n${lines.join("\n")}\nSet these environment variables (see README.md, Configuration) and start again.`,
    );
  }
  return result.data;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** For tests and the CLI, which may change DATABASE_URL before first use. */
export function resetEnvForTests(): void {
  cached = undefined;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/[^/]/i.test(url);
}

/** Absolute path of the SQLite file named by DATABASE_URL (relative paths are from the working directory). */
export function databaseFile(e: Env = env()): string {
  if (isPostgresUrl(e.DATABASE_URL)) throw new Error("DATABASE_URL is a PostgreSQL URL: there is no database file (use the database itself)");
  const p = e.DATABASE_URL.slice("file:".length).split("?")[0];
  return path.resolve(p);
}

export function dataDir(e: Env = env()): string {
  return path.resolve(e.FACET_DATA_DIR);
}
