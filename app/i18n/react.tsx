/** The admin's locale in React: pages call useI18n() for t() (the catalogue) and fmt (Intl). */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { formatter, type Formatter } from "./format";
import { translate, type AdminLocale, type MessageKey } from "./messages";

interface I18n {
  locale: AdminLocale;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  fmt: Formatter;
}

const I18nContext = createContext<{ locale: AdminLocale; nowMs: number }>({ locale: "en", nowMs: 0 });

export function I18nProvider({ locale, nowMs, children }: { locale: AdminLocale; nowMs: number; children: ReactNode }) {
  const value = useMemo(() => ({ locale, nowMs }), [locale, nowMs]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const { locale, nowMs } = useContext(I18nContext);
  return useMemo(() => ({ locale, t: (key, vars) => translate(locale, key, vars), fmt: formatter(locale, nowMs) }), [locale, nowMs]);
}
