/** Page titles ("Settings · Facet") in the admin's locale, from the frame route's loader data. */
import type { MetaFunction } from "@remix-run/node";
import { translate, type AdminLocale, type MessageKey } from "./messages";

export function pageTitle(key: MessageKey): MetaFunction {
  return ({ matches }) => {
    const frame = matches.find((m) => m.id === "routes/demo" || m.id === "routes/app" || m.id === "root");
    const locale = ((frame?.data as { locale?: AdminLocale } | undefined)?.locale ?? "en") as AdminLocale;
    return [{ title: `${translate(locale, key)} · Facet` }];
  };
}
