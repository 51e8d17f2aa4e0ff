/**
 * Issue 18 points 5, 6 and 7 in Chromium, on the demo server (scripts/start.mjs, FACET_DEMO):
 * - the privacy page: look up a customer, see what is held, opt out (the storefront then answers
 *   them as a visitor who is not logged in) and back in, download their data, erase them; the log;
 *   the policy text in English and German;
 * - the dashboard's onboarding checklist, with each step's state following the database (a block
 *   that showed recommendations turns its step);
 * - the demo storefront's checkout: a logged-in shopper clicks a recommendation, adds it to the
 *   cart and checks out; the order goes down the orders/create path and the dashboard's attributed
 *   revenue and the add-to-carts count it;
 * - the campaign preview: it starts with a segment that has recipients and runs as a job with progress.
 * Screenshots: test/artifacts/trust-*.png (git-ignored).
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { describeIf, hasChromium } from "../helpers/requires";
import { artifactShot, TEST_SHOP, eventually, launchBrowser, startDemoServer, storedEvents, type DemoServer } from "./harness";

const shot = artifactShot("trust");
const CARD = (placement: string) => `[data-facet-recs][data-placement="${placement}"] a[data-product-id]`;

describeIf(hasChromium(), "Chromium (apt-get install -y chromium)", "issue 18: privacy page, onboarding checklist, demo checkout, campaign preview job", () => {
  let server: DemoServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const failed: string[] = [];

  /** Reads the server's database file (read-only). */
  function query<T>(sql: string, ...args: unknown[]): T[] {
    const db = new Database(path.join(server.dir, "facet.db"), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    context = browser.context;
    context.on("response", (r) => {
      // The privacy page's own refusals (400 for a missing confirmation) are answers, not failures.
      if (r.status() >= 400 && !(r.status() === 400 && r.url().includes("/demo/privacy"))) failed.push(`${r.status()} ${r.url()}`);
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(p: string, width = 1280): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    page.on("pageerror", (e) => pageErrors.push(`${p}: ${e.message}`));
    await page.goto(server.url + p);
    return page;
  }

  /** The home list the storefront answers for a logged-in customer (or a guest), through the demo's app proxy. */
  async function homeList(customer: string | null): Promise<string[]> {
    const r = await fetch(`${server.url}/apps/facet/recommendations?placement=home&limit=8`, { headers: customer ? { Cookie: `facet_demo_customer=${customer}` } : {} });
    expect(r.status).toBe(200);
    return ((await r.json()) as { products: { id: string }[] }).products.map((p) => p.id);
  }

  it("dashboard: the onboarding checklist shows each step's state from the database, and a block's first impressions turn its steps", async () => {
    const page = await open("/demo?locale=en");
    const list = page.locator("[data-onboarding]");
    await list.waitFor({ timeout: 30_000 });
    const states = async () => Object.fromEntries(await page.$$eval("[data-onboarding-step]", (els) => els.map((e) => [e.getAttribute("data-onboarding-step"), e.getAttribute("data-state")])));
    // The demo pipeline imported, embedded (colour only: no image model in the tests) and trained; no block has been seen yet.
    expect(await states()).toEqual({ synced: "done", images: "partial", model: "done", blocks: "todo", impressions: "todo" });
    const text = await list.innerText();
    expect(text).toContain("Photos compared by colour only");
    expect(text).not.toMatch(/IMAGE_MODEL_PATH|facet embed/);
    expect(text).toMatch(/Trained and in use since today at \d\d:\d\d/);
    // Without a Shopify app key the "add the block" links open the demo storefront's pages.
    expect(await list.getByRole("link", { name: "Add the cart block" }).getAttribute("href")).toBe("/demo/storefront/cart");
    await page.screenshot({ path: shot("onboarding-before"), fullPage: true });

    const shop = await open("/demo/storefront");
    await shop.waitForSelector(CARD("home"), { timeout: 30_000 });
    await eventually(() => query<{ n: number }>(`SELECT SUM(impressions) AS n FROM RecEventDaily WHERE placement = 'home'`)[0]?.n, 10_000, "the home block's impressions");
    await shop.close();
    await page.reload();
    await list.waitFor();
    expect(await states()).toMatchObject({ blocks: "partial", impressions: "done" });
    expect(await page.locator('[data-onboarding-step="blocks"]').innerText()).toContain("Showing on: home page.");
    await page.locator("[data-onboarding]").screenshot({ path: shot("onboarding-after") });
    await page.close();

    const de = await open("/demo?locale=de");
    await de.locator("[data-onboarding]").waitFor();
    const deText = await de.locator("[data-onboarding]").innerText();
    expect(deText).toContain("Erste Schritte");
    expect(deText).toContain("Fotos nur nach Farbe verglichen");
    await de.close();
  });

  it("privacy: looks a customer up, shows what is held, opts them out (the storefront answers them anonymously) and back in, downloads their data", async () => {
    const [{ id }] = query<{ id: string }>(
      `SELECT c.id FROM Customer c JOIN Interaction i ON i.shop = c.shop AND i.customerId = c.id WHERE c.shop = ? GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1`,
      TEST_SHOP,
    );
    const anonymous = await homeList(null);
    expect(await homeList(null)).toEqual(anonymous); // the same request, the same answer
    const personal = await homeList(id);
    expect(personal).not.toEqual(anonymous); // a customer with history gets their own list

    const page = await open("/demo/privacy?locale=en");
    expect(await page.title()).toBe("Privacy · Facet");
    await page.getByLabel("Customer ID or email address").fill(id);
    await Promise.all([page.waitForURL(/\/demo\/privacy\?q=/), page.getByRole("button", { name: "Look up" }).click()]);
    const card = page.locator(`[data-privacy-customer="${id}"]`);
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator("[data-personalisation]").getAttribute("data-personalisation")).toBe("on");
    const held = await card.locator("[data-privacy-held]").innerText();
    expect(held).toMatch(/\d+ product views, clicks and add-to-carts/);
    expect(held).toMatch(/Used for: personal picks/);
    expect(held).toMatch(/\d+ trained model versions?/);
    await page.screenshot({ path: shot("privacy-customer"), fullPage: true });

    await page.getByRole("button", { name: "Turn off personalised recommendations" }).click();
    await page.locator('[data-privacy-result="optedOut"]').waitFor({ timeout: 15_000 });
    await card.locator('[data-personalisation="off"]').waitFor({ timeout: 15_000 }); // the page's data, reloaded after the action
    // The recommendation path honours it at once: their list is a guest's (compared with a guest's now:
    // the switch rebuilt the serving snapshot, which also took in the impressions shown since).
    expect(await homeList(id)).toEqual(await homeList(null));
    await page.getByRole("button", { name: "Turn personalised recommendations back on" }).click();
    await page.locator('[data-privacy-result="optedIn"]').waitFor({ timeout: 15_000 });
    await card.locator('[data-personalisation="on"]').waitFor({ timeout: 15_000 });
    expect(await homeList(id)).not.toEqual(await homeList(null));

    // The download is the customers/data_request document.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download their data (JSON)" }).click()]);
    expect(download.suggestedFilename()).toBe(`facet-data-${id}.json`);
    const doc = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { shop: string; note: string; data: { Customer: { id: string }[]; Interaction: unknown[] } };
    expect(doc.shop).toBe(TEST_SHOP);
    expect(doc.data.Customer[0].id).toBe(id);
    expect(doc.data.Interaction.length).toBeGreaterThan(0);
    expect(doc.note).toMatch(/keyed hash/);

    // An address nobody has: the keyed hash matches nothing, and the page says so in words.
    await page.getByLabel("Customer ID or email address").fill("nobody@example.org");
    await Promise.all([page.waitForURL(/q=nobody/), page.getByRole("button", { name: "Look up" }).click()]);
    await expect(page.locator('[data-privacy-customer="none"]').innerText()).resolves.toContain("Facet holds nothing about “nobody@example.org”");
    await page.close();
  });

  it("privacy: erases a customer only after the confirmation; the log shows the request with its outcome; the policy text in German", async () => {
    const [{ id }] = query<{ id: string }>(`SELECT id FROM Customer WHERE shop = ? ORDER BY id DESC LIMIT 1`, TEST_SHOP);
    const page = await open(`/demo/privacy?q=${id}&locale=en`);
    const erase = page.getByRole("button", { name: "Erase customer" });
    await erase.waitFor({ timeout: 15_000 });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel("I understand that this cannot be undone").check();
    await erase.click();
    await page.locator('[data-privacy-result="erased"]').waitFor({ timeout: 30_000 });
    expect(query(`SELECT id FROM Customer WHERE shop = ? AND id = ?`, TEST_SHOP, id)).toEqual([]);
    expect(query(`SELECT id FROM Interaction WHERE shop = ? AND customerId = ?`, TEST_SHOP, id)).toEqual([]);
    const log = page.locator("[data-privacy-log]");
    await log.waitFor();
    const row = await log.locator("tbody tr").first().innerText();
    expect(row).toMatch(/Customer erasure\s+This page\s+Completed\s+Erased: \d+ records deleted, \d+ orders made anonymous, \d+ files rewritten/);
    expect(await log.innerText()).not.toContain(id); // the log never names the customer
    const policy = await page.locator("[data-privacy-policy] textarea").inputValue();
    expect(policy).toContain(`Our shop ${TEST_SHOP} uses the app Facet`);
    expect(policy).toContain("does not store your email address");
    await page.screenshot({ path: shot("privacy-log"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: shot("privacy-phone"), fullPage: true });
    await page.close();

    const de = await open("/demo/privacy?locale=de");
    expect(await de.title()).toBe("Datenschutz · Facet");
    await expect(de.locator("[data-privacy-policy] textarea").inputValue()).resolves.toContain(`Unser Shop ${TEST_SHOP} verwendet die App Facet`);
    const deLog = await de.locator("[data-privacy-log]").innerText();
    expect(deLog).toMatch(/Löschung einer Person\s+Diese Seite\s+Abgeschlossen/);
    await de.screenshot({ path: shot("privacy-de"), fullPage: true });
    await de.close();
  });

  it("storefront checkout: a clicked recommendation, added to the cart and bought, fills in add-to-carts and attributed revenue", async () => {
    const dash = await open("/demo?locale=en");
    const headline = dash.locator('[data-headline="attributed-revenue"]');
    await headline.waitFor({ timeout: 30_000 });
    const before = await headline.innerText();
    await dash.close();

    const page = await open("/demo/storefront");
    const customer = (await page.locator('select[name="customer"] option').nth(2).getAttribute("value"))!;
    await page.selectOption('select[name="customer"]', customer);
    await Promise.all([page.waitForNavigation(), page.click('form.who button[type="submit"]')]);
    await page.waitForSelector(CARD("home"), { timeout: 30_000 });
    const card = page.locator(CARD("home")).first();
    const productId = (await card.getAttribute("data-product-id"))!;
    await Promise.all([page.waitForNavigation(), card.click()]);
    await eventually(() => storedEvents(server).find((e) => e.type === "click" && e.productId === productId && e.customerId === customer), 10_000, "the click row");
    // The product page's own "Add to cart" form (the theme's, whatever its language).
    await Promise.all([page.waitForNavigation(), page.locator('.pdp form[action$="/cart"] button[type="submit"]').click()]);
    expect(page.url()).toMatch(/\/demo\/storefront\/cart$/);
    const add = storedEvents(server).find((e) => e.type === "add_to_cart" && e.productId === productId);
    expect(add).toMatchObject({ placement: "home", customerId: customer });
    await page.screenshot({ path: shot("cart-checkout"), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.locator("[data-checkout]").click()]);
    const thanks = page.locator("[data-order]");
    await thanks.waitFor({ timeout: 30_000 });
    const orderId = (await thanks.getAttribute("data-order"))!;
    // The demo shop is German (de-DE): the theme thanks in German.
    expect(await thanks.innerText()).toMatch(/^Vielen Dank! Die Bestellung \d+ \(1 Artikel, [\d,]+\s€\) ist aufgegeben\./);
    expect(await page.locator("[data-checkout]").count()).toBe(0);
    expect(await page.locator(".cart-lines").count()).toBe(0); // the cart is empty again
    // The order went down the webhook path: a recorded orders/create delivery, the sync job, the rows.
    expect(query(`SELECT topic FROM WebhookDelivery WHERE shop = ? AND topic = 'ORDERS_CREATE'`, TEST_SHOP).length).toBeGreaterThanOrEqual(1);
    expect(query<{ customerId: string }>(`SELECT customerId FROM "Order" WHERE shop = ? AND id = ?`, TEST_SHOP, orderId)).toEqual([{ customerId: customer }]);
    await page.screenshot({ path: shot("order-placed"), fullPage: true });
    await page.close();

    const after = await open("/demo?locale=en");
    const shown = after.locator('[data-headline="attributed-revenue"]');
    await shown.waitFor({ timeout: 30_000 });
    const money = (s: string) => Number(s.replace(/[^\d.]/g, ""));
    expect(money(await shown.innerText())).toBeGreaterThan(money(before));
    await after.screenshot({ path: shot("dashboard-after-order"), fullPage: true });
    await after.close();
  });

  it("campaigns: the builder starts with a segment that has recipients, and the preview runs as a job with progress", async () => {
    const page = await open("/demo/campaigns");
    const segment = await page.getByLabel("Customers (segment filter, optional)").inputValue();
    expect(segment).toMatch(/^segment=[\w-]+;gender=\w+$/);
    const polls: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("previewJob=")) polls.push(r.url());
    });
    await page.getByRole("button", { name: "Preview" }).click();
    const summary = page.locator("[data-campaign-summary]");
    await summary.waitFor({ timeout: 60_000 });
    const total = Number((await summary.locator("strong").textContent())!.replace(/\D/g, ""));
    expect(total).toBeGreaterThan(0);
    expect(polls.length).toBeGreaterThan(0); // the page asked the job for its progress
    const job = query<{ name: string; status: string; progress: number }>(`SELECT name, status, progress FROM JobRun WHERE shop = ? AND name = 'campaignPreview'`, TEST_SHOP);
    expect(job).toEqual([{ name: "campaignPreview", status: "completed", progress: 1 }]);
    await page.screenshot({ path: shot("campaign-preview"), fullPage: true });
    await page.close();

    // In German: the page's words, and the suggested segment's help says why it was chosen.
    const de = await open("/demo/campaigns?locale=de");
    expect(await de.title()).toBe("Kampagnen · Facet");
    await de.getByRole("heading", { name: "Kampagne erstellen" }).waitFor();
    await expect(de.innerText("body")).resolves.toContain("Vorgeschlagen: die größte Gruppe von Kunden, die Marketing-E-Mails zugestimmt haben");
    await de.getByRole("button", { name: "Vorschau" }).click();
    const deSummary = de.locator("[data-campaign-summary]");
    await deSummary.waitFor({ timeout: 60_000 });
    expect(await deSummary.innerText()).toMatch(new RegExp(`^${total} Empfänger, insgesamt [\\d.]+ Produkte\\. Nicht dabei: `));
    await de.screenshot({ path: shot("campaign-preview-de"), fullPage: true });
    await de.close();
  });

  it("raised no uncaught errors and no failed responses", () => {
    expect(pageErrors).toEqual([]);
    expect(failed).toEqual([]);
  });
});
