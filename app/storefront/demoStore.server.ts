/**
 * The demo storefront: a plain HTML "theme" (no React, like a real Shopify storefront) for the demo
 * shop, with a home page, product pages and a cart, each carrying one of Facet's app blocks rendered
 * from extensions/facet-theme by LiquidJS. The blocks then behave exactly as on Shopify: facet.js
 * asks /apps/facet/recommendations (the demo's stand-in for the app proxy) for the cards.
 */
import { productCards, sampleCustomers, shopLocale, type ProductCard } from "../models/storefrontShop.server";
import { DEMO_CUSTOMER_COOKIE, cookieValue, demoCustomer } from "./demoProxy.server";
import { escapeHtml, formatPrice } from "./fragment.server";
import { imageSrc } from "../serving/images.server";
import { categoryName, STOREFRONT_LANGUAGES, storefrontText, type StorefrontLanguage } from "../i18n/storefront";
import { shopperLanguage } from "../serving/reasonText";
import { themeRenderer } from "./liquid.server";
import { newClientCookie } from "./demoCheckout.server";
import { orderSummary } from "../models/order.server";

export const DEMO_ROOT = "/demo/storefront";

export const DEMO_CART_COOKIE = "facet_demo_cart";

/** `ordered`: the order the checkout just placed (the cart page then thanks the shopper for it). */
export type DemoPage = { kind: "home" } | { kind: "product"; productId: string } | { kind: "cart"; ordered?: string | null };

export function demoCart(request: Request): string[] {
  const raw = cookieValue(request, DEMO_CART_COOKIE) ?? "";
  return raw.split(",").filter((id) => /^[\w-]{1,64}$/.test(id)).slice(0, 20);
}

export function productPath(p: { id: string; handle: string | null }): string {
  return `${DEMO_ROOT}/products/${encodeURIComponent(p.handle ?? p.id)}`;
}

/** Shopify's Liquid `product` object, in the few fields the blocks and this theme read. */
function liquidProduct(p: ProductCard) {
  return { id: p.id, handle: p.handle ?? p.id, title: p.title, price: Math.round(p.price * 100), url: productPath(p) };
}

const THEME_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:Georgia,"Times New Roman",serif;color:#1d1d1d;background:#fffdf9;line-height:1.5}
a{color:#1d1d1d}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:10}
header.site{border-bottom:1px solid #e6e0d6;background:#fff}
.site__inner,main{max-width:1200px;margin:0 auto;padding:1rem}
.site__inner{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}
.site__logo{font-size:1.5rem;letter-spacing:.08em;text-decoration:none;text-transform:uppercase}
.site nav a{margin-right:1rem}
.who{font-family:system-ui,sans-serif;font-size:.9rem}
.who select,.who button{font:inherit;padding:.25rem .5rem}
.who select{max-width:min(55vw,22rem)}
.hero{padding:3rem 1rem;text-align:center;background:#f4efe6}
.hero h1{font-weight:400;font-size:2.2rem;margin:0 0 .5rem}
.pdp{display:grid;gap:2rem;grid-template-columns:1fr}
@media(min-width:750px){.pdp{grid-template-columns:1fr 1fr}}
.pdp img{width:100%;height:auto;aspect-ratio:1/1;object-fit:cover;background:#eee}
.price{font-size:1.25rem;font-weight:600}
.btn{display:inline-block;background:#1d1d1d;color:#fff;border:0;padding:.75rem 1.5rem;font:inherit;cursor:pointer}
.btn:focus-visible,a:focus-visible,select:focus-visible{outline:3px solid #005bd3;outline-offset:2px}
.cart-lines{list-style:none;padding:0}.cart-lines li{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
.cart-lines img{width:64px;height:64px;object-fit:cover}
.thanks{background:#e8f5e9;border:1px solid #a5d6a7;padding:1rem}
footer{border-top:1px solid #e6e0d6;margin-top:3rem;padding:2rem 1rem;text-align:center;font-size:.85rem;color:#4a4a4a}
`;

/**
 * The demo's markets, as Shopify Markets would set them up for a German shop selling to Switzerland:
 * Germany in the shop's currency; Switzerland in CHF at a fixed demo rate (a real shop's rate comes
 * from Shopify, window.Shopify.currency.rate).
 */
interface DemoMarket {
  country: string;
  currency: string;
  rate: number;
}
const DEMO_MARKETS: Record<string, DemoMarket> = { DE: { country: "DE", currency: "EUR", rate: 1 }, CH: { country: "CH", currency: "CHF", rate: 0.94 } };
const DEMO_LOCALE_COOKIE = "facet_demo_locale";
const DEMO_COUNTRY_COOKIE = "facet_demo_country";

/** The shopper's language and market: ?locale= and ?country= (kept in cookies), else the shop's. */
function demoShopperPrefs(request: Request, loc: { locale: string; currency: string }): { lang: StorefrontLanguage; market: DemoMarket; cookies: string[] } {
  const url = new URL(request.url);
  const cookies: string[] = [];
  const pick = <T>(param: string, name: string, parse: (v: string | null) => T | null, fallback: T): T => {
    const fromParam = parse(url.searchParams.get(param));
    if (fromParam !== null) {
      cookies.push(`${name}=${encodeURIComponent(url.searchParams.get(param)!)}; Path=/; SameSite=Lax`);
      return fromParam;
    }
    return parse(cookieValue(request, name)) ?? fallback;
  };
  const lang = pick("locale", DEMO_LOCALE_COOKIE, (v) => shopperLanguage(v), shopperLanguage(loc.locale) ?? "en");
  const home: DemoMarket = { ...DEMO_MARKETS.DE, currency: loc.currency };
  const market = pick("country", DEMO_COUNTRY_COOKIE, (v) => (v && DEMO_MARKETS[v.toUpperCase()] ? (v.toUpperCase() === "DE" ? home : DEMO_MARKETS[v.toUpperCase()]) : null), home);
  return { lang, market, cookies };
}

function layout(opts: { title: string; lang: StorefrontLanguage; market: DemoMarket; body: string; stylesheets: string[]; scripts: string[]; customer: string | null; customers: { id: string; label: string }[]; cartCount: number; here: string }): string {
  const t = (k: Parameters<typeof storefrontText>[1], v?: Record<string, string | number>) => escapeHtml(storefrontText(opts.lang, k, v));
  const switchTo = (param: string, value: string) => `${escapeHtml(opts.here)}?${param}=${encodeURIComponent(value)}`;
  const languages = STOREFRONT_LANGUAGES.map((l) => (l === opts.lang ? `<b>${l.toUpperCase()}</b>` : `<a href="${switchTo("locale", l)}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`)).join(" ");
  const markets = Object.values(DEMO_MARKETS).map((m) => (m.country === opts.market.country ? `<b>${m.country} · ${m.currency}</b>` : `<a href="${switchTo("country", m.country)}">${m.country} · ${m.currency}</a>`)).join(" ");
  const options = [`<option value="">${t("guest")}</option>`]
    .concat(opts.customers.map((c) => `<option value="${escapeHtml(c.id)}"${c.id === opts.customer ? " selected" : ""}>${escapeHtml(c.label)}</option>`))
    .join("");
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(opts.title)} – Facet demo shop</title>
<style>${THEME_CSS}</style>
<script>window.Shopify = window.Shopify || {}; window.Shopify.currency = ${JSON.stringify({ active: opts.market.currency, rate: String(opts.market.rate) })};</script>
${opts.stylesheets.map((s) => `<link rel="stylesheet" href="${escapeHtml(s)}">`).join("\n")}
${opts.scripts.map((s) => `<script src="${escapeHtml(s)}" defer></script>`).join("\n")}
</head>
<body>
<a class="skip" href="#main">${t("skip")}</a>
<header class="site"><div class="site__inner">
  <a class="site__logo" href="${DEMO_ROOT}">Facet Schmuck</a>
  <nav aria-label="Shop"><a href="${DEMO_ROOT}">${t("home")}</a><a href="${DEMO_ROOT}/cart">${t("cartCount", { count: opts.cartCount })}</a><a href="/demo">${t("admin")}</a></nav>
  <nav aria-label="${t("language")}" data-languages>${languages}</nav>
  <nav aria-label="${t("country")}" data-markets>${markets}</nav>
  <form class="who" method="post" action="${DEMO_ROOT}/login">
    <input type="hidden" name="back" value="${escapeHtml(opts.here)}">
    <label>${t("shoppingAs")} <select name="customer">${options}</select></label>
    <button type="submit">${t("switch")}</button>
  </form>
</div></header>
<main id="main">
${opts.body}
</main>
<footer>${t("footer")}</footer>
</body>
</html>`;
}

export async function renderDemoPage(request: Request, shop: string, page: DemoPage): Promise<Response> {
  const loc = shopLocale(shop);
  const prefs = demoShopperPrefs(request, loc);
  const { lang, market } = prefs;
  const priceTag = `${lang}-${market.country}`;
  // Prices as Shopify Markets shows them: converted at the market's rate, in its currency and the language's format.
  const money = (amount: number) => formatPrice(Math.round(amount * market.rate * 100) / 100, market.currency, priceTag);
  const theme = themeRenderer({ language: lang, assetBase: `${DEMO_ROOT}/assets`, money: (cents) => formatPrice(cents / 100, market.currency, priceTag) });
  const t = (k: Parameters<typeof storefrontText>[1], v?: Record<string, string | number>) => escapeHtml(storefrontText(lang, k, v));
  const customer = demoCustomer(request);
  const cartIds = demoCart(request);
  const cards = productCards(shop, page.kind === "product" ? [page.productId, ...cartIds] : cartIds);
  const cartItems = cartIds.flatMap((id) => (cards.has(id) ? [cards.get(id)!] : []));
  const globals = {
    shop: { name: loc.name ?? shop, currency: loc.currency, permanent_domain: shop },
    request: { locale: { iso_code: lang }, page_type: page.kind === "home" ? "index" : page.kind },
    localization: { language: { iso_code: lang }, country: { iso_code: market.country, currency: { iso_code: market.currency } } },
    routes: { root_url: DEMO_ROOT, cart_url: `${DEMO_ROOT}/cart` },
    customer: customer ? { id: customer } : null,
    cart: { currency: { iso_code: market.currency }, item_count: cartItems.length, items: cartItems.map((p) => ({ product_id: p.id, product: liquidProduct(p), title: p.title })) },
  };
  const img = (p: ProductCard) => imageSrc(shop, p.id, p.imageUrl) ?? "";
  const price = (p: ProductCard) => escapeHtml(money(p.salePrice ?? p.price));
  let body = "";
  let blockName: string;
  let title: string;
  if (page.kind === "product") {
    const p = cards.get(page.productId);
    if (!p) return new Response(storefrontText(lang, "notFound"), { status: 404 });
    blockName = "product-recommendations";
    title = p.title;
    body = `<div class="pdp">
  <img src="${escapeHtml(img(p))}" alt="${escapeHtml(p.title)}" width="600" height="600">
  <div><p>${escapeHtml(categoryName(lang, p.category))}</p><h1>${escapeHtml(p.title)}</h1><p class="price">${price(p)}</p>
  <form method="post" action="${DEMO_ROOT}/cart"><input type="hidden" name="add" value="${escapeHtml(p.id)}"><button class="btn" type="submit">${t("addToCart")}</button></form></div>
</div>
${await theme.renderBlock(blockName, { ...globals, product: liquidProduct(p) }, {}, "product-block")}`;
  } else if (page.kind === "cart") {
    blockName = "cart-recommendations";
    title = storefrontText(lang, "cart");
    const lines = cartItems.length
      ? `<ul class="cart-lines">${cartItems.map((p) => `<li><img src="${escapeHtml(img(p))}" alt="${escapeHtml(p.title)}" width="64" height="64"><a href="${productPath(p)}">${escapeHtml(p.title)}</a> <span>${price(p)}</span></li>`).join("")}</ul>
<form method="post" action="${DEMO_ROOT}/checkout"><button class="btn" type="submit" data-checkout>${t("checkout")}</button></form>`
      : `<p>${t("emptyCart")}</p>`;
    const order = page.ordered ? orderSummary(shop, page.ordered) : null;
    const thanks = order
      ? `<p class="thanks" role="status" data-order="${escapeHtml(order.id)}">${t("thanks", { order: order.id, items: order.items === 1 ? storefrontText(lang, "item") : storefrontText(lang, "items", { count: order.items }), total: money(order.totalAmount) })} <a href="/demo">${t("thanksLink")}</a>.</p>`
      : "";
    body = `<h1>${t("cart")}</h1>${thanks}${lines}\n${await theme.renderBlock(blockName, globals, {}, "cart-block")}`;
  } else {
    blockName = "home-recommendations";
    title = storefrontText(lang, "home");
    body = `<section class="hero"><h1>${t("heroTitle")}</h1><p>${t("heroText")}</p></section>
${await theme.renderBlock(blockName, globals, {}, "home-block")}`;
  }
  const assets = theme.assetsOf([blockName]);
  const customers = sampleCustomers(shop, 12).map((c) => ({ id: c.id, label: `${c.id} · ${[c.segment, c.gender, c.ageGroup].filter(Boolean).join(", ")} · ${storefrontText(lang, "events", { count: c.events })}` }));
  if (customer && !customers.some((c) => c.id === customer)) customers.unshift({ id: customer, label: customer });
  const here = page.kind === "product" ? productPath(cards.get(page.productId)!) : page.kind === "cart" ? `${DEMO_ROOT}/cart` : DEMO_ROOT;
  const html = layout({
    title,
    lang,
    market,
    body,
    stylesheets: assets.stylesheets.map((s) => `${DEMO_ROOT}/assets/${s}`),
    scripts: assets.scripts.map((s) => `${DEMO_ROOT}/assets/${s}`),
    customer,
    customers,
    cartCount: cartItems.length,
    here,
  });
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  // A first visit gets Shopify's client id cookie (the pixel's clientId; facet.js and the demo's cart events use it).
  const clientCookie = newClientCookie(request);
  if (clientCookie) headers.append("Set-Cookie", clientCookie);
  for (const c of prefs.cookies) headers.append("Set-Cookie", c);
  return new Response(html, { headers });
}

/** Cookie headers for the demo's "login" and cart (Shopify keeps both in its own session). */
export function demoCookie(name: typeof DEMO_CUSTOMER_COOKIE | typeof DEMO_CART_COOKIE, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; SameSite=Lax; HttpOnly${value ? "" : "; Max-Age=0"}`;
}
