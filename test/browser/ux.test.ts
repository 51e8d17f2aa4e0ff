/**
 * Issue 18 in Chromium: the admin in German and English (the demo's switch, Shopify's `locale`
 * parameter), model versions in words with the numbers behind a toggle, page titles, the inline
 * favicon (no /favicon.ico request), the Polaris not-found page (status 404), and an empty cart
 * that shows the home list instead of asking for a cart list (which answers 400).
 * Screenshots: test/artifacts/ux18-*.png (git-ignored).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { describeIf, hasChromium } from "../helpers/requires";
import path from "node:path";
import Database from "better-sqlite3";
import { artifactShot, launchBrowser, startDemoServer, TEST_SHOP, type DemoServer } from "./harness";
import { de, en } from "../../app/i18n/messages";

const shot = artifactShot("ux18");

describeIf(hasChromium(), "Chromium (apt-get install -y chromium)", "issue 18: the merchant's language, titles, not-found, empty cart", () => {
  let server: DemoServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const failed: string[] = [];

  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
    context = browser.context;
    context.on("response", (r) => {
      if (r.status() >= 400 && !r.url().includes("/no-such-page")) failed.push(`${r.status()} ${r.url()}`);
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

  it("the dashboard in English: a title, model versions in words, the numbers behind 'Technical details'", async () => {
    const page = await open("/demo?locale=en");
    expect(await page.title()).toBe("Dashboard · Facet");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    const model = page.locator("[data-model]").first();
    await expect(model.innerText()).resolves.toMatch(/Trained today at \d\d:\d\d on [\d,]+ events; [\d,]+ products, [\d,]+ customers\./);
    const details = model.locator("[data-model-details]");
    expect(await details.locator("p").isVisible()).toBe(false);
    await details.locator("summary").click();
    await expect(details.locator("p").innerText()).resolves.toMatch(/nonZeros [\d,]+/);
    await page.screenshot({ path: shot("dashboard-en"), fullPage: true });
    await page.close();
  });

  it("the demo's switch turns the admin German and keeps it across pages (cookie); Shopify's locale=de-DE does too", async () => {
    const page = await open("/demo?locale=en");
    await Promise.all([page.waitForNavigation(), page.click('[data-locale-switch] a[hreflang="de"]')]);
    expect(await page.getAttribute("html", "lang")).toBe("de");
    expect(await page.title()).toBe("Übersicht · Facet");
    const text = await page.innerText("body");
    expect(text).toContain("Datenprüfung");
    expect(text).toContain("Modellversionen");
    expect(text).toMatch(/Trainiert heute um \d\d:\d\d mit [\d.]+ Ereignissen; [\d.]+ Produkte/);
    expect(text).not.toContain("Sync and jobs");
    await page.screenshot({ path: shot("dashboard-de"), fullPage: true });
    // A client-side navigation (Remix NavLink): the title follows once the new route's data is in.
    await page.click('nav[aria-label="Facet admin"] a[href="/demo/settings"]');
    await page.waitForFunction(() => document.title === "Einstellungen · Facet", undefined, { timeout: 15_000 });
    expect(await page.getAttribute("html", "lang")).toBe("de");
    await page.close();
    const again = await open("/demo/evaluation?locale=de-DE");
    expect(await again.title()).toBe("Auswertung · Facet");
    await again.goto(server.url + "/demo?locale=en");
    await again.close();
  });

  // Open (issue 18 point 2): the experiments pages' own texts are not in the catalogue yet; the
  // catalogue check above still runs on them, the function-word check does not.
  const ENGLISH_LEFT = ["/demo/experiments"];

  it("no English left on the German admin pages: no phrase of the English catalogue that German words differently", async () => {
    // Every English catalogue phrase (the text between placeholders, 14+ characters, at least two
    // words) whose German differs: none may show on a German page. Pages with a customer looked up,
    // each placement's settings and an experiment's page are included.
    const phrases = new Set<string>();
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      if (en[k] === de[k]) continue;
      for (const part of en[k].split(/\{\w+\}/)) {
        const p = part.trim().replace(/^[\s,.;:()·–-]+|[\s,.;:()·–-]+$/g, "");
        if (p.length >= 14 && /\s/.test(p) && !de[k].includes(p)) phrases.add(p);
      }
    }
    expect(phrases.size).toBeGreaterThan(300);
    const db = new Database(path.join(server.dir, "facet.db"), { readonly: true, fileMustExist: true });
    const customer = db.prepare(`SELECT id FROM Customer WHERE shop = ? ORDER BY id LIMIT 1`).get(TEST_SHOP) as { id: string };
    db.close();
    const home = await open("/demo/experiments?locale=de");
    const experiment = await home.getAttribute('a[href^="/demo/experiments/"]', "href").catch(() => null);
    await home.close();
    const pages = [
      "/demo", "/demo/preview", "/demo/evaluation", "/demo/experiments", "/demo/campaigns", "/demo/privacy",
      ...["product", "home", "cart", "email", "general"].map((p) => `/demo/settings?placement=${p}`),
      `/demo/privacy?q=${encodeURIComponent(customer.id)}`,
      ...(experiment ? [experiment] : []),
    ];
    const found: string[] = [];
    for (const p of pages) {
      const page = await open(`${p}${p.includes("?") ? "&" : "?"}locale=de`);
      expect(await page.getAttribute("html", "lang")).toBe("de");
      const text = (await page.innerText("body")).replace(/\s+/g, " ");
      for (const phrase of phrases) if (text.includes(phrase)) found.push(`${p}: ${JSON.stringify(phrase)}`);
      // Text that never went through the catalogue: English function words German does not use.
      // The preview's products are the shopper's view, in the shop's language (this shop's is English).
      const adminText = (await page.evaluate(() => {
        const body = document.body.cloneNode(true) as HTMLElement;
        for (const e of body.querySelectorAll("[data-preview-list], [data-preview-anchor], script, style")) e.remove();
        return body.textContent ?? "";
      })).replace(/\s+/g, " ");
      if (!ENGLISH_LEFT.some((x) => p.startsWith(x))) {
        for (const m of adminText.matchAll(/.{0,30}\b(the|and|with|your|you|this|that|are|from|have|has|will|which|when|what|there|than|only|each|every|been|enter|choose)\b.{0,30}/gi)) {
          found.push(`${p}: ${JSON.stringify(m[0])}`);
        }
      }
      await page.close();
    }
    expect(found).toEqual([]);
  });

  it("every admin page has its own title", async () => {
    const titles: Record<string, string> = {};
    for (const p of ["/demo", "/demo/settings", "/demo/preview", "/demo/evaluation", "/demo/experiments", "/demo/campaigns", "/demo/privacy"]) {
      const page = await open(`${p}?locale=en`);
      titles[p] = await page.title();
      await page.close();
    }
    expect(titles).toEqual({
      "/demo": "Dashboard · Facet",
      "/demo/settings": "Settings · Facet",
      "/demo/preview": "Preview · Facet",
      "/demo/evaluation": "Evaluation · Facet",
      "/demo/experiments": "Experiments · Facet",
      "/demo/campaigns": "Campaigns · Facet",
      "/demo/privacy": "Privacy · Facet",
    });
  });

  it("unknown addresses get the Polaris not-found page with status 404, inside and outside /demo", async () => {
    for (const p of ["/demo/no-such-page", "/no-such-page/at/all"]) {
      const page = await context.newPage();
      const res = await page.goto(server.url + p);
      expect(res?.status(), p).toBe(404);
      await page.waitForSelector("[data-not-found]");
      expect(await page.innerText("[data-not-found]")).toContain("This page does not exist");
      expect(await page.title()).toBe("Page not found · Facet");
      if (p.startsWith("/demo")) await page.screenshot({ path: shot("not-found"), fullPage: true });
      await page.close();
    }
  });

  it("an empty cart shows the home list, and nothing on the way answers 400 or asks for /favicon.ico", async () => {
    const ctx = await context.browser()?.newContext();
    const page = ctx ? await ctx.newPage() : await context.newPage();
    const requests: string[] = [];
    const statuses: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("response", (r) => statuses.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await page.goto(server.url + "/demo/storefront/cart");
    await page.waitForSelector('[data-facet-recs][data-placement="home"] a[data-product-id]', { timeout: 30_000 });
    expect(await page.locator('[data-facet-recs][data-placement="cart"]').count()).toBe(0);
    await page.screenshot({ path: shot("empty-cart"), fullPage: true });
    expect(statuses.filter((s) => /^4\d\d /.test(s))).toEqual([]);
    expect(requests.filter((u) => u.endsWith("/favicon.ico"))).toEqual([]);
    await (ctx ?? page).close();
  });

  it("raised no uncaught errors and no failed responses in the admin pages", () => {
    expect(pageErrors).toEqual([]);
    expect(failed).toEqual([]);
  });
});
