/** The checklist's deep link into Shopify's theme editor (issue 18 point 6): the template and the app block ready to add. */
import { expect, it } from "vitest";
import { themeEditorLink } from "../../app/ui/onboarding.server";

it("links to the theme editor with addAppBlockId = client id / block handle, or to the demo storefront without an app key", () => {
  const product = { placement: "product", handle: "product-recommendations", template: "product", target: "mainSection", demo: "/demo/storefront" } as const;
  const url = new URL(themeEditorLink("shop-1.myshopify.com", "abc123", product));
  expect(url.origin + url.pathname).toBe("https://shop-1.myshopify.com/admin/themes/current/editor");
  expect(Object.fromEntries(url.searchParams)).toEqual({ template: "product", addAppBlockId: "abc123/product-recommendations", target: "mainSection" });
  expect(themeEditorLink("shop-1.myshopify.com", "", product)).toBe("/demo/storefront");
});
