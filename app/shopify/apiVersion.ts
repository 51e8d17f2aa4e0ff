/**
 * The one owner of the Shopify API version Facet speaks (Admin GraphQL, webhooks, the app's
 * config). shopify.app.toml's `[webhooks] api_version` must equal SHOPIFY_API_VERSION
 * (test/shopify/apiVersion.test.ts checks it).
 *
 * The pinned @shopify/shopify-app-remix 4.2.1 (the last for Node 20; its @shopify/shopify-api
 * 13.1.0) has no `ApiVersion.October26`: its enum ends at July26. The library does not validate
 * the value against its enum (its GraphQL client only logs "Unsupported_Api_Version" when the
 * string is outside the quarters around today), so the version string is passed through typed as
 * the library's enum. docs/decisions/0180-shopify-api-version-2026-10.md has the plan.
 */
import type { ApiVersion } from "@shopify/shopify-app-remix/server";

/** Shopify's current stable API version (quarterly, YYYY-MM). */
export const SHOPIFY_API_VERSION = "2026-10" as const;

/** SHOPIFY_API_VERSION as the library's type (it lacks the enum member; see above). */
export const LIBRARY_API_VERSION = SHOPIFY_API_VERSION as unknown as ApiVersion;
