/**
 * The demo admin's dashboard (issue #2 point 7, #3 point 4): after the demo's steps run as jobs it
 * shows what was imported, the data audit's answers, job progress, and says plainly when visual
 * similarity runs on the colour descriptor alone. Checked on the loader's data and on the HTML the
 * page component renders from it.
 */
import fs from "node:fs";
import path from "node:path";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { renderToString } from "react-dom/server";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoShop } from "../../app/demo/generate";
import { COLOUR_ONLY_NOTE } from "../../app/embedding/search.server";
import { closeQueue, inProcessQueue } from "../../app/queues/index.server";
import { Dashboard } from "../../app/ui/Dashboard";
import { dashboardData } from "../../app/ui/pages.server";
import type { DashboardData } from "../../app/ui/types";
import { useTempDatabase } from "../helpers/db";
import de from "@shopify/polaris/locales/de.json";
import { I18nProvider } from "../../app/i18n/react";

const { dir } = useTempDatabase();
const SHOP = "dashboard.myshopify.com";
delete process.env.IMAGE_MODEL_PATH;

function html(data: DashboardData): string {
  const router = createMemoryRouter([{ path: "/demo", element: <Dashboard data={data} /> }], { initialEntries: ["/demo"] });
  const markup = renderToString(
    <AppProvider i18n={en}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  // Text only, entities decoded, whitespace collapsed: what a reader of the page sees.
  return markup
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}

describe("demo admin dashboard", () => {
  let empty: DashboardData;
  let data: DashboardData;

  beforeAll(async () => {
    empty = await dashboardData(SHOP, Date.now());
    const out = path.join(dir(), "shop");
    await generateDemoShop({ out, products: 60, customers: 80, interactions: 1500, seed: 3, images: true });
    const q = await inProcessQueue();
    for (const [name, payload] of [["import", { shop: SHOP, dir: out }], ["embed", { shop: SHOP }]] as const) {
      await (await q.enqueue(name, payload as never)).finished();
    }
    data = await dashboardData(SHOP, Date.now());
  }, 180_000);
  afterAll(async () => {
    await closeQueue({ abandonWaiting: true });
  });

  it("says nothing was imported and no job ran before the first import", () => {
    expect(empty.counts).toEqual({ products: 0, customers: 0, orders: 0, interactions: 0 });
    expect(empty.audit).toBeNull();
    expect(empty.jobs).toEqual([]);
    const text = html(empty);
    expect(text).toContain("No audit yet");
    expect(text).toContain("No jobs have run yet");
  });

  it("shows the imported counts, read from the database", () => {
    const csvRows = (f: string) => fs.readFileSync(path.join(dir(), "shop", f), "utf8").trim().split("\n").length - 1;
    expect(data.counts).toEqual({
      products: csvRows("products.csv"),
      customers: csvRows("customers.csv"),
      orders: csvRows("orders.csv"),
      interactions: csvRows("interactions.csv"),
    });
    const text = html(data);
    expect(text).toMatch(new RegExp(`Products ${data.counts.products.toLocaleString("en-GB")}\\b`));
    expect(text).toMatch(new RegExp(`Interactions ${data.counts.interactions.toLocaleString("en-GB")}\\b`));
  });

  it("shows the audit's answers to the seed's questions and every strategy's verdict", () => {
    const audit = data.audit!;
    expect(audit.questions.map((q) => q.id)).toEqual(["customers", "ordersPerMonth", "browsing", "history", "quality"]);
    // 80 customers: below the collaborative-filtering threshold, and the page says so.
    expect(audit.questions[0]).toMatchObject({ ok: false, vars: { customers: 80 } });
    expect(audit.strategies.map((s) => s.strategy)).toEqual(expect.arrayContaining(["visual", "collaborative", "hybrid"]));
    const text = html(data);
    expect(text).toMatch(/How many customers\? \(collaborative filtering needs at least 1,000\) 80 customers, \d+ of them with visits or orders ⚠/);
    expect(text).toContain("How many orders per month?");
    expect(text).toMatch(/Is browsing tracked \(views, clicks, carts, wish lists\)\? (Yes: \d[\d,]* views|No)/);
    expect(text).toContain("Missing values and duplicates?");
    for (const name of ["Looks alike", "Customers with similar taste", "The blend"]) expect(text).toMatch(new RegExp(`${name}: (Viable|Limited|Not viable)`));
    expect(text).toMatch(/Personalised recommendations: \d+ kinds of recommendation fully usable/);
  });

  it("shows each job with its status and progress", () => {
    expect(data.jobs.map((j) => [j.name, j.status, j.progress])).toEqual([
      ["embed", "completed", 1],
      ["import", "completed", 1],
    ]);
    const markup = renderToString(
      <AppProvider i18n={en}>
        <RouterProvider router={createMemoryRouter([{ path: "/", element: <Dashboard data={{ ...data, jobs: [{ ...data.jobs[0], status: "running", progress: 0.4 }] }} /> }])} />
      </AppProvider>,
    );
    expect(markup).toMatch(/<progress[^>]*value="40" max="100"/);
    expect(html(data)).toMatch(/Product photos analysed (Success )?Completed 100 ?%.*Import of the shop's files (Success )?Completed 100 ?% .* imported/);
  });

  it("says in words that visual similarity uses colour alone when no image model is configured (the checklist's images step, no settings names)", () => {
    expect(data.visualNote).toBe(COLOUR_ONLY_NOTE);
    expect(empty.visualNote).toBeNull();
    const text = html(data);
    expect(text).toContain("Photos compared by colour only: no image model is set up for your shop yet");
    expect(text).not.toContain("IMAGE_MODEL_PATH");
  });

  it("shows the onboarding checklist with each step's state from the database", () => {
    const state = (d: DashboardData) => Object.fromEntries(d.onboarding.map((s) => [s.key, s.state]));
    expect(state(empty)).toEqual({ synced: "todo", images: "todo", model: "todo", blocks: "todo", impressions: "todo" });
    // Imported and embedded (colour only), not trained, no block has reported yet.
    expect(state(data)).toEqual({ synced: "done", images: "partial", model: "todo", blocks: "todo", impressions: "todo" });
    const synced = data.onboarding.find((s) => s.key === "synced")!;
    expect(synced.at).not.toBeNull();
    expect(synced.vars).toMatchObject({ products: data.counts.products, orders: data.counts.orders });
    // Without the Shopify app's key (the demo) the block links open the demo storefront's pages.
    expect(data.onboarding.find((s) => s.key === "blocks")!.links).toEqual([
      { placement: "product", href: "/demo/storefront" },
      { placement: "home", href: "/demo/storefront" },
      { placement: "cart", href: "/demo/storefront/cart" },
    ]);
    const text = html(data);
    expect(text).toMatch(/Getting started 1 of 5 steps done/);
    expect(text).toContain(`${data.counts.products} products, ${data.counts.customers} customers and ${data.counts.orders} orders are in Facet.`);
    expect(text).toContain("Add the cart block");
  });

  it("speaks German when the admin's locale is de: labels, statuses, job names and numbers by Intl", () => {
    const big = { ...data, counts: { ...data.counts, interactions: 153537 } };
    const router = createMemoryRouter([{ path: "/", element: <Dashboard data={big} /> }]);
    const text = renderToString(
      <AppProvider i18n={de}>
        <I18nProvider locale="de" nowMs={Date.now()}>
          <RouterProvider router={router} />
        </I18nProvider>
      </AppProvider>,
    ).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toContain("Interaktionen 153.537");
    expect(text).toContain("Datenprüfung");
    expect(text).toMatch(/Produktfotos analysiert (Erfolg )?Abgeschlossen/);
    expect(text).not.toContain("Sync and jobs");
    // The data audit in German too, numbers by Intl (1.000, not 1,000).
    expect(text).toMatch(/Wie viele Kundinnen und Kunden\? \(für „Ähnlicher Geschmack“ mindestens 1\.000\) 80 Kundinnen und Kunden/);
    expect(text).toContain("Fehlende Werte und Duplikate?");
    expect(text).toMatch(/Die Mischung: (Geeignet|Eingeschränkt|Nicht geeignet)/);
    expect(text).toMatch(/Persönliche Empfehlungen: \d+ Empfehlungsarten voll nutzbar/);
    expect(text).not.toMatch(/How many|Hybrid recommendations|customers with interactions|strategies fully viable/);
  });
});
