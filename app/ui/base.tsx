/**
 * The admin pages are mounted twice: embedded in Shopify's admin under /app and, in demo mode,
 * outside it under /demo. Pages build their links from this base so nothing is duplicated.
 */
import { createContext, useContext } from "react";

export const AdminBaseContext = createContext<"/app" | "/demo">("/app");

export function useAdminPath(sub = ""): string {
  const base = useContext(AdminBaseContext);
  return sub ? `${base}/${sub}` : base;
}

export const ADMIN_PAGES = [
  { sub: "", label: "Dashboard", key: "nav.dashboard" },
  { sub: "settings", label: "Settings", key: "nav.settings" },
  { sub: "preview", label: "Preview", key: "nav.preview" },
  { sub: "evaluation", label: "Evaluation", key: "nav.evaluation" },
  { sub: "experiments", label: "Experiments", key: "nav.experiments" },
  { sub: "campaigns", label: "Campaigns", key: "nav.campaigns" },
  { sub: "privacy", label: "Privacy", key: "nav.privacy" },
] as const;
