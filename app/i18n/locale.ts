/**
 * The admin's locale: Shopify opens an embedded app with `?locale=de-DE` (the merchant's admin
 * language); the demo's switch links to `?locale=de`. The choice is kept in a cookie so that
 * links without the parameter stay in the same language; else Accept-Language; else English.
 */
import { LOCALES, type AdminLocale } from "./messages";

export const LOCALE_COOKIE = "facet_locale";

export function toAdminLocale(value: string | null | undefined): AdminLocale | null {
  const base = (value ?? "").trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(base) ? (base as AdminLocale) : null;
}

export function requestLocale(request: Request): { locale: AdminLocale; fromParam: boolean } {
  const url = new URL(request.url);
  const param = toAdminLocale(url.searchParams.get("locale"));
  if (param) return { locale: param, fromParam: true };
  const cookie = (request.headers.get("Cookie") ?? "").match(new RegExp(`(?:^|;\\s*)${LOCALE_COOKIE}=([^;]+)`));
  const fromCookie = toAdminLocale(cookie?.[1]);
  if (fromCookie) return { locale: fromCookie, fromParam: false };
  for (const part of (request.headers.get("Accept-Language") ?? "").split(",")) {
    const l = toAdminLocale(part.split(";")[0]);
    if (l) return { locale: l, fromParam: false };
  }
  return { locale: "en", fromParam: false };
}

export function localeCookie(locale: AdminLocale): string {
  return `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`;
}
