/**
 * In a real browser (Debian's Chromium, headless), the admin pages of experiments and campaigns:
 * the results page of a seeded experiment (exposures, block totals, clicks and orders written
 * through the backend) shows the verdict the statistics call, its charts with interval whiskers
 * and its tables, and "promote" makes the winner's weights the placement's settings; a young
 * experiment says it lacks data; the list page creates, starts, refuses a second experiment on a
 * busy placement, and stops; the dashboard shows the attributed revenue headline; the campaigns
 * page previews recipients with product photos and downloads CSV and JSON.
 * One server and one seeded shop for the whole file (test/browser/harness.ts).
 */
import fs from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { describeIf, hasChromium } from "../helpers/requires";
import { launchBrowser, screenshotPath, startDemoServer, TEST_SHOP, type DemoServer } from "./harness";
import { winningExperiment, youngExperiment, type SeededExperiment } from "./experimentFixtures";
import { resetEnvForTests } from "../../app/env.server";
import { closeDb, prisma } from "../../app/db.server";
import { attributedRevenueHeadline } from "../../app/experiments/results.server";
import { CAMPAIGN_CSV_HEADER } from "../../app/recommend/campaigns";

const DAY = 86_400_000;

describeIf(hasChromium(), "Chromium (apt-get install -y chromium)", "experiment and campaign admin pages in Chromium", () => {
  let server: DemoServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let winning: SeededExperiment;
  let young: SeededExperiment;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    // This process writes the fixtures into the server's database file.
    for (const key of ["DATABASE_URL", "FACET_DATA_DIR", "FACET_SHOP"]) process.env[key] = server.env[key];
    resetEnvForTests();
    const now = new Date();
    winning = await winningExperiment(TEST_SHOP, now);
    young = await youngExperiment(TEST_SHOP, now);
    // The demo shop's calendar ends on a fixed day; a few of its products become new arrivals of
    // today's clock, so "New arrivals you'll love" has products whatever day the test runs.
    const products = await prisma().product.findMany({ where: { shop: TEST_SHOP }, select: { id: true }, orderBy: { id: "asc" }, take: 30 });
    for (const [i, p] of products.entries()) {
      await prisma().product.update({ where: { shop_id: { shop: TEST_SHOP, id: p.id } }, data: { createdDate: new Date(now.getTime() - (3 + (i % 20)) * DAY) } });
    }
    browser = await launchBrowser();
    context = browser.context;
  }, 600_000);

  afterAll(async () => {
    await closeDb();
    await browser?.close();
    await server?.stop();
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`${path}: ${e.message}`));
    await page.goto(server.url + path);
    return page;
  }

  it("results page: the verdict, charts with 95 % whiskers and the tables; promoting the winner sets its weights", async () => {
    const page = await open(`/demo/experiments/${winning.id}`);
    await page.getByText('Verdict: "Visual heavy" beats "Current blend"').waitFor({ timeout: 30_000 });
    for (const chart of ["experiment-ctr", "experiment-conversion", "experiment-revenue", "experiment-rpm", "experiment-difference"]) {
      await expect(page.locator(`svg[data-chart="${chart}"]`).isVisible()).resolves.toBe(true);
    }
    // One bar per variant; the rate charts carry a whisker (three lines) per bar.
    const ctr = page.locator('svg[data-chart="experiment-ctr"]');
    await expect(ctr.locator("rect").count()).resolves.toBe(2);
    await expect(ctr.locator("g[data-bar] line").count()).resolves.toBe(6);
    // The fixture's conversions (250 and 320 of 500 shoppers) reach the table as rates.
    const revenueTable = page.locator("table").nth(1);
    await expect(revenueTable.locator("tr", { hasText: "Current blend" }).textContent()).resolves.toContain("50.0 %");
    await expect(revenueTable.locator("tr", { hasText: "Visual heavy" }).textContent()).resolves.toContain("64.0 %");
    await expect(page.getByText(/Minimum sample size: [\d,]+ shoppers per variant \(reached\)/).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("admin-experiment-results"), fullPage: true });

    await page.getByRole("button", { name: 'Promote "Visual heavy" to the placement\'s settings' }).click();
    await page.getByText('"Visual heavy" promoted').waitFor({ timeout: 15_000 });
    // The page's data follows the action: the winner is marked and the experiment stopped.
    await page.getByText("Promoted", { exact: true }).waitFor({ timeout: 5_000 });
    await page.getByText("stopped", { exact: true }).first().waitFor({ timeout: 5_000 });
    await page.screenshot({ path: screenshotPath("admin-experiment-promoted"), fullPage: true });

    // The winner's weights (visual 0.7, collaborative 0.3) are the home page's settings now.
    await page.goto(`${server.url}/demo/settings?placement=home`);
    await page.getByRole("tab", { name: "Home page" }).waitFor();
    await page.getByRole("button", { name: "Advanced" }).click(); // the raw weights are behind the disclosure
    expect(Number(await page.getByLabel("visual weight", { exact: true }).inputValue())).toBeCloseTo(0.7, 6);
    expect(Number(await page.getByLabel("collaborative weight", { exact: true }).inputValue())).toBeCloseTo(0.3, 6);
    expect(Number(await page.getByLabel("recency weight", { exact: true }).inputValue())).toBe(0);
    await page.close();
  });

  it("results page of a young experiment with a holdout: not enough data yet, nothing to promote", async () => {
    const page = await open(`/demo/experiments/${young.id}`);
    await page.getByText('Verdict: not enough data yet for "No recommendations" against "Blend"').waitFor({ timeout: 30_000 });
    await expect(page.getByText(/Each variant needs [\d,]+ shoppers before a winner is called; so far 36 and 4/).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: /^Promote/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: screenshotPath("admin-experiment-young"), fullPage: true });
    await page.close();
  });

  it("list page: creates an experiment, refuses to start it beside a running one, starts it after a pause, stops it", async () => {
    const page = await open("/demo/experiments");
    await page.getByLabel("Experiment name").waitFor();
    await page.getByLabel("Experiment name").fill("Holdout on the product page");
    await page.getByLabel("Placement").selectOption("product");
    await page.getByLabel("Variant 2 name").fill("No recommendations");
    await page.getByLabel("Variant 2 recommendations").selectOption("holdout");
    await page.getByLabel("Variant 1 traffic share (%)").fill("80");
    await page.getByLabel("Variant 2 traffic share (%)").fill("10");
    await page.getByRole("button", { name: "Create experiment" }).click();
    // Bad input is said where it is, and the form keeps what was typed.
    await page.getByText("Traffic shares add up to 90 %; make them add up to 100 %.").waitFor({ timeout: 15_000 });
    await page.getByLabel("Variant 2 traffic share (%)").fill("20");
    await page.getByRole("button", { name: "Create experiment" }).click();
    await page.getByText('"Holdout on the product page" created as a draft').waitFor({ timeout: 15_000 });
    const row = page.locator("tr", { hasText: "Holdout on the product page" });
    await row.getByText("No recommendations (holdout) 20 %").waitFor({ timeout: 5_000 });

    await page.getByRole("button", { name: 'Start "Holdout on the product page"' }).click();
    await page.getByText("is already running on the product placement: pause or stop it first").waitFor({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath("admin-experiments-refused"), fullPage: true });

    await page.getByRole("button", { name: 'Pause "Recommendations vs. none (product page)"' }).click();
    await page.getByText('"Recommendations vs. none (product page)" paused.').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: 'Start "Holdout on the product page"' }).click();
    await page.getByText('"Holdout on the product page" started.').waitFor({ timeout: 15_000 });
    await row.getByText("running", { exact: true }).waitFor({ timeout: 5_000 });
    await page.getByRole("button", { name: 'Stop "Holdout on the product page"' }).click();
    await page.getByText('"Holdout on the product page" stopped.').waitFor({ timeout: 15_000 });
    await row.getByText("Finished", { exact: true }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: screenshotPath("admin-experiments-list"), fullPage: true });
    await page.close();
  });

  it("dashboard: the headline shows the revenue attributed to recommendations", async () => {
    const expected = await attributedRevenueHeadline(TEST_SHOP, 30);
    expect(expected.revenue).toBeGreaterThanOrEqual(winning.revenue + young.revenue - 0.01); // the fixtures' orders all follow a click
    const page = await open("/demo");
    await page.getByText("Revenue from recommendations (last 30 days)").waitFor({ timeout: 30_000 });
    const shown = await page.locator('[data-headline="attributed-revenue"]').textContent();
    expect(shown).toBe(new Intl.NumberFormat("en-GB", { style: "currency", currency: expected.currency }).format(expected.revenue));
    await expect(page.getByText(`${expected.orders.toLocaleString("en-GB")} orders with a recommended product`).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("admin-dashboard-revenue"), fullPage: true });
    await page.close();
  });

  it("campaigns: previews recipients with product photos, saves, downloads CSV and JSON, runs", async () => {
    const page = await open("/demo/campaigns");
    await page.getByLabel("Customers (segment filter, optional)").fill("gender=female");
    await page.getByLabel("Products created in the last (days)").fill("30");
    await page.getByRole("button", { name: "Preview" }).click();
    const summary = page.locator("[data-campaign-summary]");
    await summary.waitFor({ timeout: 60_000 });
    const total = Number((await summary.locator("strong").textContent())!.replace(/\D/g, ""));
    expect(total).toBeGreaterThan(0);
    const cards = page.locator("[data-campaign-product]");
    expect(await cards.count()).toBeGreaterThanOrEqual(6);
    // Every product of the previewed recipients shows its photo (decoded, with the title as alt text).
    await page.waitForFunction(
      () => {
        const imgs = [...document.querySelectorAll("[data-campaign-product] img")] as HTMLImageElement[];
        return imgs.length === document.querySelectorAll("[data-campaign-product]").length && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.alt.length > 0);
      },
      undefined,
      { timeout: 30_000 },
    );
    await page.screenshot({ path: screenshotPath("admin-campaign-preview"), fullPage: true });

    // The unsaved preview downloads as CSV: one line per recipient and product.
    const [csv] = await Promise.all([page.waitForEvent("download"), page.locator('a[data-export="csv"]').click()]);
    expect(csv.suggestedFilename()).toMatch(/^campaign-new-arrivals-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs.readFileSync((await csv.path())!, "utf8").trim().split("\n");
    expect(lines[0]).toBe(CAMPAIGN_CSV_HEADER);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[0])).size).toBe(total);

    await page.getByLabel("Campaign name").fill("New arrivals for women");
    await page.getByLabel("Schedule").selectOption("weekly");
    await page.getByRole("button", { name: "Save campaign" }).click();
    await page.getByText('Campaign "New arrivals for women" saved; it runs weekly').waitFor({ timeout: 15_000 });
    const row = page.locator("[data-campaign-row]", { hasText: "New arrivals for women" });
    await row.getByText("weekly", { exact: true }).waitFor({ timeout: 5_000 });
    await row.getByText(/last run never/).waitFor({ timeout: 5_000 });
    const href = await page.getByRole("link", { name: 'Download "New arrivals for women" as JSON' }).getAttribute("href");
    const r = await fetch(server.url + href!);
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="cmp_\w+-new-arrivals-for-women-\d{4}-\d{2}-\d{2}\.json"$/);
    const doc = (await r.json()) as { recipients: { products: { image: string }[] }[] };
    expect(doc.recipients.length).toBe(total);

    await page.getByRole("button", { name: 'Run "New arrivals for women" now' }).click();
    await page.getByText(`Built ${total} recipients`).waitFor({ timeout: 60_000 });
    await row.getByText(/last run \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/).waitFor({ timeout: 5_000 }); // was "last run never"
    await page.screenshot({ path: screenshotPath("admin-campaigns-saved"), fullPage: true });
    await page.close();
  });

  it("raised no uncaught errors in any page", () => {
    expect(pageErrors).toEqual([]);
  });
});
