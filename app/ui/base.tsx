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
  { sub: "", label: "Dashboard" },
  { sub: "settings", label: "Settings" },
  { sub: "preview", label: "Preview" },
  { sub: "evaluation", label: "Evaluation" },
  { sub: "experiments", label: "Experiments" },
  { sub: "campaigns", label: "Campaigns" },
] as const;
