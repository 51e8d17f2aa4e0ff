/*
 * Facet app blocks: fetch the recommendation cards from the app proxy when a block nears the
 * viewport, and report impressions and clicks with the recommendation id (for attribution).
 * Loaded with `defer` by Shopify; never throws into the page: a failed request hides the block.
 *
 * Client id (sticky A/B variants for shoppers who are not logged in, and the join of a click with
 * the web pixel's add-to-cart): Shopify's own first-party `_shopify_y` cookie when present (the
 * same value as the pixel's clientId), else a random id kept in localStorage. None at all when the
 * shopper declined analytics (Shopify's customerPrivacy API): the block then shows the default list.
 */
(function () {
  "use strict";
  if (window.__facetLoaded) return; // the script is shared by all three blocks
  window.__facetLoaded = true;

  var io = "IntersectionObserver" in window;
  var cid;

  function clientId() {
    if (cid !== undefined) return cid;
    cid = null;
    try {
      var privacy = window.Shopify && window.Shopify.customerPrivacy;
      if (privacy && privacy.analyticsProcessingAllowed && !privacy.analyticsProcessingAllowed()) return cid;
      var m = /(?:^|;\s*)_shopify_y=([\w.-]{8,100})/.exec(document.cookie);
      if (m) return (cid = m[1]);
      cid = localStorage.getItem("facet_cid");
      if (!cid || !/^[\w.-]{8,100}$/.test(cid)) {
        cid = "f" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
        localStorage.setItem("facet_cid", cid);
      }
    } catch (e) { cid = null; /* storage blocked: no client id */ }
    return cid;
  }

  function report(section, type, productIds, position) {
    var d = section.dataset;
    if (!d.recId || !productIds.length) return;
    var body = JSON.stringify({
      type: type,
      recommendationId: d.recId,
      placement: d.placement,
      productIds: productIds,
      position: position,
      clientId: clientId() || undefined
    });
    try {
      var blob = new Blob([body], { type: "text/plain" }); // a simple request: no CORS preflight
      if (!(navigator.sendBeacon && navigator.sendBeacon(d.events, blob))) {
        fetch(d.events, { method: "POST", body: body, keepalive: true, credentials: "same-origin" })["catch"](function () {});
      }
    } catch (e) { /* reporting is best effort */ }
  }

  function cardIds(section) {
    var links = section.querySelectorAll("a[data-product-id]");
    var ids = [];
    for (var i = 0; i < links.length; i++) ids.push(links[i].getAttribute("data-product-id"));
    return ids;
  }

  function watchImpression(section) {
    var list = section.querySelector("[data-facet-list]");
    var seen = function () { report(section, "impression", cardIds(section)); };
    if (!io) return seen();
    var o = new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting) { o.disconnect(); seen(); }
    }, { threshold: 0.5 });
    o.observe(list);
  }

  // Prices as Shopify renders them: the theme's money format (the Liquid money filter's rendering of
  // 1234.56, e.g. "1.234,56 €" or "CHF 1'234.56"), in the shopper's market currency at Shopify's own
  // rate (Shopify.currency: {active, rate} over the shop's currency). Without them the server's text stays.
  function moneyFormat(sample) {
    var m = /1([^\d]?)23[45](?:([^\d])(\d+))?/.exec(sample || "");
    if (!m) return null;
    return { before: sample.slice(0, m.index), after: sample.slice(m.index + m[0].length), group: m[1], decimal: m[2] || "", digits: m[3] ? m[3].length : 0 };
  }

  function formatMoney(f, amount) {
    var parts = amount.toFixed(f.digits).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, f.group);
    return f.before + whole + (parts[1] ? f.decimal + parts[1] : "") + f.after;
  }

  function localisePrices(section) {
    var f = moneyFormat(section.dataset.moneySample);
    var cur = window.Shopify && window.Shopify.currency;
    var active = (cur && cur.active) || section.dataset.currency;
    var rate = Number(cur && cur.rate) || 1;
    if (!f || !active) return;
    var prices = section.querySelectorAll("[data-amount][data-currency]");
    for (var i = 0; i < prices.length; i++) {
      var p = prices[i];
      var amount = Number(p.getAttribute("data-amount"));
      if (!isFinite(amount)) continue;
      if (p.getAttribute("data-currency") !== active) {
        if (!cur || !cur.rate) continue; // no rate: the shop's currency as the server wrote it
        amount = amount * rate;
      }
      p.textContent = formatMoney(f, amount);
      p.setAttribute("data-shown-currency", active);
    }
  }

  function fail(section) {
    section.hidden = true; // the theme's page stays as it was
    section.removeAttribute("aria-busy");
  }

  function load(section) {
    var d = section.dataset;
    // A cart block on an empty cart (the theme re-rendered it after the last item went) asks for the home list.
    var placement = d.placement === "cart" && !d.cart ? "home" : d.placement;
    var q = new URLSearchParams({ placement: placement, limit: d.limit || "4", format: "html" });
    if (d.locale) q.set("locale", d.locale);
    if (d.root) q.set("root", d.root);
    if (d.productId) q.set("product_id", d.productId);
    if (d.cart) q.set("cart", d.cart);
    if (d.reasons) q.set("reasons", "1");
    if (clientId()) q.set("client_id", clientId());
    fetch(d.endpoint + "?" + q, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        var list = section.querySelector("[data-facet-list]");
        var tpl = document.createElement("template");
        tpl.innerHTML = html;
        var root = tpl.content.querySelector("[data-recommendation-id]");
        if (!root || !root.querySelector("a[data-product-id]")) return fail(section);
        d.recId = root.getAttribute("data-recommendation-id");
        list.replaceChildren(tpl.content);
        localisePrices(section);
        section.removeAttribute("aria-busy");
        watchImpression(section);
      })
      ["catch"](function () { fail(section); });
  }

  function onClick(e) {
    var a = e.target.closest && e.target.closest("a[data-product-id]");
    var section = a && a.closest("[data-facet-recs]");
    if (section) report(section, "click", [a.getAttribute("data-product-id")], Number(a.getAttribute("data-position")) || undefined);
  }

  function init() {
    var sections = document.querySelectorAll("[data-facet-recs]:not([data-facet-init])");
    var near = io && new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) { near.unobserve(en.target); load(en.target); }
      });
    }, { rootMargin: "300px 0px" });
    for (var i = 0; i < sections.length; i++) {
      var s = sections[i];
      s.setAttribute("data-facet-init", "");
      s.addEventListener("click", onClick);
      near ? near.observe(s) : load(s);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // The theme editor adds and moves blocks without reloading the page.
  document.addEventListener("shopify:section:load", init);
  document.addEventListener("shopify:block:select", init);
})();
