/**
 * The embedded admin under /app, authenticated for real: the shop is installed by token exchange
 * (test/shopify/fakeShopify.ts plays Shopify, with the bulk fixtures as its first sync), then every
 * page's loader answers 200 for a request carrying an App Bridge session token (as a document
 * request's id_token, and as the Authorization header App Bridge adds to the admin's fetches), and
 * the settings form's POST saves and reaches serving. Loader level: the routes are called as Remix
 * calls them (vitest runs without the Remix build).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { resetEnvForTests } from "../../app/env.server";
import { prisma } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { SOURCE_NAMES, type PlacementSettings } from "../../app/recommend/settings";
import { CHECKBOX_FIELDS, NULLABLE_NUMBER_FIELDS, NUMBER_FIELDS } from "../../app/ui/settingsForm";
import { adminHost, DEFAULT_SCOPE, fakeShopifyWithFixtures, sessionToken } from "./fakeShopify";
import { waitFor } from "./helpers";

useTempDatabase();
const API_KEY = "facet-admin-client-id";
const SECRET = "facet-admin-client-secret";
const APP_URL = "https://facet.example.com";
const SHOP = "facet-admin.myshopify.com";
const SCOPE = DEFAULT_SCOPE;
const HOST = adminHost(SHOP);

const fake = fakeShopifyWithFixtures(API_KEY, SECRET);

type Args = { request: Request; params: Record<string, string>; context: object };
type RouteModule = { loader: (args: Args) => Promise<Response>; action?: (args: Args) => Promise<Response> };
const routes: Record<string, RouteModule> = {};

const bearer = (shop = SHOP) => ({ Authorization: `Bearer ${sessionToken({ shop, apiKey: API_KEY, secret: SECRET })}` });

/** A loader or action call; a thrown Response is the answer. */
async function call(route: string, kind: "loader" | "action", request: Request, params: Record<string, string> = {}): Promise<Response> {
  const fn = routes[route][kind]!;
  return fn({ request, params, context: {} }).catch((e: unknown) => {
    if (e instanceof Response) return e;
    throw e;
  });
}

const get = (route: string, path: string, params: Record<string, string> = {}) => call(route, "loader", new Request(`${APP_URL}${path}`, { headers: bearer() }), params);

const post = (route: string, path: string, fields: Record<string, string>, params: Record<string, string> = {}) =>
  call(route, "action", new Request(`${APP_URL}${path}`, { method: "POST", headers: bearer(), body: new URLSearchParams(fields) }), params);

/** The settings form as the page submits it: every control, filled from the current values. */
function settingsForm(placement: string, current: PlacementSettings, changes: Record<string, string>): Record<string, string> {
  const at = (dotted: string) => dotted.split(".").reduce<unknown>((node, k) => (node as Record<string, unknown>)?.[k], current);
  const fields: Record<string, string> = { placement };
  for (const src of SOURCE_NAMES) fields[`weights.${src}`] = String(current.weights[src] ?? 0);
  for (const f of CHECKBOX_FIELDS) if (at(f)) fields[f] = "on";
  for (const f of [...NUMBER_FIELDS, ...NULLABLE_NUMBER_FIELDS]) fields[f] = at(f) === null || at(f) === undefined ? "" : String(at(f));
  fields["rules.pinned"] = ((at("rules.pinned") as string[] | undefined) ?? []).join(",");
  return { ...fields, ...changes };
}

beforeAll(async () => {
  process.env.SHOPIFY_API_KEY = API_KEY;
  process.env.SHOPIFY_API_SECRET = SECRET;
  process.env.SHOPIFY_APP_URL = APP_URL;
  process.env.SCOPES = SCOPE;
  delete process.env.IMAGE_MODEL_PATH;
  resetEnvForTests();
  vi.stubGlobal("fetch", fake.fetch); // before the library captures it (see fakeShopify.ts)
  const files: Record<string, string> = {
    app: "app",
    dashboard: "app._index",
    settings: "app.settings",
    preview: "app.preview",
    evaluation: "app.evaluation",
    experiments: "app.experiments._index",
    experiment: "app.experiments.$id",
    campaigns: "app.campaigns._index",
    campaignExport: "app.campaigns.$id.export",
    privacy: "app.privacy._index",
    privacyExport: "app.privacy.export",
  };
  for (const [name, file] of Object.entries(files)) routes[name] = (await import(`../../app/routes/${file}.tsx`).catch(() => import(`../../app/routes/${file}.ts`))) as RouteModule;

  // Install: the admin opens /app with a session token; the token exchange and afterAuth run.
  const idToken = sessionToken({ shop: SHOP, apiKey: API_KEY, secret: SECRET });
  const installed = await call("dashboard", "loader", new Request(`${APP_URL}/app?embedded=1&shop=${SHOP}&host=${HOST}&id_token=${idToken}`));
  expect(installed.status).toBe(200);
  await waitFor(async () => {
    const runs = await prisma().jobRun.findMany({ where: { shop: SHOP } });
    return runs.length === 5 && runs.every((r) => r.status === "completed" || r.status === "failed");
  }, "the first sync, embed and train", 60_000);
});

afterAll(async () => {
  await closeQueue({ abandonWaiting: true });
  vi.unstubAllGlobals();
});

describe("embedded admin pages, authenticated by session token", () => {
  it("every page's loader answers 200 with this shop's data", async () => {
    // The frame's loader gives the embedded app its client id, the admin locale and the time it
    // rendered at (the clock passed in, not read by the page).
    expect(await (await get("app", "/app")).json()).toEqual({ apiKey: API_KEY, locale: "en", nowMs: expect.any(Number) });

    const dash = (await (await get("dashboard", "/app")).json()) as { shop: string; counts: Record<string, number> };
    expect(dash).toMatchObject({ shop: SHOP, counts: { products: 2, customers: 2, orders: 2 } });

    const settings = await get("settings", "/app/settings?placement=home");
    expect(settings.status).toBe(200);
    expect(await settings.json()).toMatchObject({ placement: "home", customised: false });

    const preview = await get("preview", "/app/preview?placement=product");
    expect(preview.status).toBe(200);
    const p = (await preview.json()) as { placement: string; products: { id: string }[]; customers: { id: string }[] };
    expect(p.placement).toBe("product");
    expect(p.products.map((x) => x.id).sort()).toEqual(["8000000000001", "8000000000002"]);
    expect(p.customers.length).toBe(2);

    const evaluation = await get("evaluation", "/app/evaluation");
    expect(evaluation.status).toBe(200);
    expect(await evaluation.json()).toMatchObject({ evaluatedAt: null });

    const experiments = await get("experiments", "/app/experiments");
    expect(experiments.status).toBe(200);
    expect(await experiments.json()).toMatchObject({ experiments: [] });

    const campaigns = await get("campaigns", "/app/campaigns");
    expect(campaigns.status).toBe(200);
    expect(await campaigns.json()).toMatchObject({ campaigns: [] });
  });

  it("an experiment created through the page's action has a results page; another shop's id is 404", async () => {
    const created = await post("experiments", "/app/experiments", {
      intent: "create",
      name: "Blend vs holdout",
      placement: "product",
      variantCount: "2",
      "variant.0.name": "Current",
      "variant.0.share": "50",
      "variant.0.kind": "current",
      "variant.1.name": "Holdout",
      "variant.1.share": "50",
      "variant.1.kind": "holdout",
    });
    expect(created.status).toBe(200);
    const { createdId } = (await created.json()) as { createdId: string };
    const results = await get("experiment", `/app/experiments/${createdId}`, { id: createdId });
    expect(results.status).toBe(200);
    expect(await results.json()).toMatchObject({ experiment: { id: createdId, name: "Blend vs holdout" } });
    const missing = await get("experiment", "/app/experiments/nope", { id: "nope" });
    expect(missing.status).toBe(404);
    // A form error is the page's 400 with the message, not a crash.
    const bad = await post("experiments", "/app/experiments", { intent: "create", name: "x", placement: "product", variantCount: "1" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, message: expect.stringMatching(/at least two variants/) });
  });

  it("a campaign export downloads as CSV for this shop", async () => {
    const res = await get("campaignExport", "/app/campaigns/new/export?kind=new-arrivals&format=csv", { id: "new" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/text\/csv/);
  });

  it("the privacy page shows what is held about this shop's customer and downloads it; a campaign preview runs as a job the page polls", async () => {
    const customer = (await prisma().customer.findFirst({ where: { shop: SHOP }, orderBy: { id: "asc" } }))!;
    const page = await get("privacy", `/app/privacy?q=${customer.id}`);
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ shop: SHOP, customer: { valid: true, profile: { id: customer.id, optOut: false } } });
    const doc = await get("privacyExport", `/app/privacy/export?q=${customer.id}`);
    expect(doc.headers.get("Content-Disposition")).toContain(`facet-data-${customer.id}.json`);
    expect(((await doc.json()) as { shop: string }).shop).toBe(SHOP);

    const started = await post("campaigns", "/app/campaigns", { intent: "preview", kind: "new-arrivals", segment: "", days: "60", k: "4" });
    expect(started.status).toBe(200);
    const { previewJob } = (await started.json()) as { previewJob: string };
    expect(previewJob).toMatch(/^campaignPreview-/);
    await waitFor(async () => {
      const polled = (await (await get("campaigns", `/app/campaigns?previewJob=${previewJob}`)).json()) as { previewJob: { status: string } | null };
      return polled.previewJob?.status === "completed";
    }, "the campaign preview job", 30_000);
    const done = (await (await get("campaigns", `/app/campaigns?previewJob=${previewJob}`)).json()) as { previewJob: { progress: number; preview: { total: number; spec: { kind: string } } } };
    expect(done.previewJob).toMatchObject({ progress: 1, preview: { spec: { kind: "new-arrivals" }, total: expect.any(Number) } });
  });

  it("the settings form POST saves, the page shows it, and serving uses it from the next request", async () => {
    const { getSnapshot } = await import("../../app/serving/snapshot.server");
    const before = await getSnapshot(SHOP);
    const current = before.world.settings.placements.product;
    expect(current.diversity.mmrLambda).not.toBe(0.42);

    const saved = await post("settings", "/app/settings", settingsForm("product", current, { "diversity.mmrLambda": "0.42", "rules.pinned": "8000000000002" }));
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ intent: "save", placement: "product", error: null });

    const page = (await (await get("settings", "/app/settings?placement=product")).json()) as { customised: boolean; current: PlacementSettings };
    expect(page.customised).toBe(true);
    expect(page.current.diversity.mmrLambda).toBe(0.42);
    expect(page.current.rules.pinned).toEqual(["8000000000002"]);
    const after = await getSnapshot(SHOP);
    expect(after.world.settings.placements.product.diversity.mmrLambda).toBe(0.42);
    expect(after.world.settings.placements.product.rules.pinned).toEqual(["8000000000002"]);

    // The live preview answers the unsaved form (a hidden product leaves the list) and saves nothing.
    // (Two products, both bought by both customers: the preview asks for them to be shown again.)
    const { "rules.excludePurchased.enabled": _bought, ...homeForm } = settingsForm("home", before.world.settings.placements.home, {});
    const shown = (await (await post("settings", "/app/settings", { ...homeForm, intent: "preview" })).json()) as { preview: { products: { id: string }[]; product: { id: string } | null } };
    expect(shown.preview).toMatchObject({ error: null });
    expect(shown.preview.products.length).toBeGreaterThan(0);
    const first = shown.preview.products[0].id;
    const without = (await (await post("settings", "/app/settings", { ...homeForm, intent: "preview", "global.hidden": first })).json()) as typeof shown;
    expect(without.preview.products.map((p) => p.id)).not.toContain(first);
    expect((await getSnapshot(SHOP)).world.settings.global.hidden).not.toContain(first);
    // The picker finds products by title, with their photos and prices.
    const title = after.world.catalog.title[after.world.catalog.index.get(first)!];
    const found = (await (await post("settings", "/app/settings", { intent: "search", q: title.slice(0, 6) })).json()) as { results: { id: string; title: string; price: string }[] };
    expect(found.results.length).toBeGreaterThan(0);
    expect(found.results.every((r) => r.title.toLowerCase().includes(title.slice(0, 6).toLowerCase()) && r.price !== "")).toBe(true);

    // A bad value is refused with the field named, and nothing changes.
    const bad = await post("settings", "/app/settings", settingsForm("product", page.current, { "diversity.mmrLambda": "viel" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/diversity\.mmrLambda/);
    expect((await getSnapshot(SHOP)).world.settings.placements.product.diversity.mmrLambda).toBe(0.42);
  });

  it("the evaluation page's Tune button runs the evaluation with tuning as a job, and the page reports it", async () => {
    const started = (await (await post("evaluation", "/app/evaluation", { intent: "tune" })).json()) as { intent: string; jobId: string };
    expect(started.intent).toBe("tune");
    // A second press while it waits or runs is the same job.
    const again = (await (await post("evaluation", "/app/evaluation", { intent: "tune" })).json()) as { jobId: string };
    const run = await prisma().jobRun.findUnique({ where: { id: started.jobId } });
    if (run && (run.status === "queued" || run.status === "running")) expect(again.jobId).toBe(started.jobId);
    await waitFor(async () => {
      const r = await prisma().jobRun.findUnique({ where: { id: started.jobId } });
      return r?.status === "completed" || r?.status === "failed";
    }, "the evaluate job", 60_000);
    const page = (await (await get("evaluation", "/app/evaluation")).json()) as { job: { id: string; status: string; error: string | null } | null };
    expect(page.job?.id).toBe(again.jobId);
    expect(["completed", "failed"]).toContain(page.job?.status);
    // Two products and two customers: the evaluation says why it cannot run, in the job's error.
    if (page.job?.status === "failed") expect(page.job.error).toBeTruthy();
  });

  it("an admin POST without a valid session token is 401 and changes nothing", async () => {
    const before = await prisma().setting.findMany({ where: { shop: SHOP }, orderBy: { key: "asc" } });
    const forged = sessionToken({ shop: SHOP, apiKey: API_KEY, secret: "a-guessed-secret" });
    for (const auth of ["Bearer not-a-jwt", `Bearer ${forged}`]) {
      const res = await call("settings", "action", new Request(`${APP_URL}/app/settings`, { method: "POST", headers: { Authorization: auth }, body: new URLSearchParams({ placement: "product", intent: "reset" }) }));
      expect(res.status).toBe(401);
    }
    expect(await prisma().setting.findMany({ where: { shop: SHOP }, orderBy: { key: "asc" } })).toEqual(before);
  });
});
