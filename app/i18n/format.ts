/**
 * Numbers, dates and money for the admin, by Intl for the admin's locale. Pure: the "now" that
 * "today"/"yesterday" is measured from is passed in (app/clock.ts rules), as is the time zone.
 */
import { translate, type AdminLocale } from "./messages";

const INTL: Record<AdminLocale, string> = { en: "en-GB", de: "de-DE" };

export interface Formatter {
  locale: AdminLocale;
  number(n: number, digits?: number): string;
  /** Exactly `digits` decimals (axis and table values that line up: 0.30, not 0.3). */
  fixed(n: number, digits: number): string;
  percent(fraction: number, digits?: number): string;
  money(amount: number, currency: string): string;
  date(iso: string | null): string;
  /** A calendar month "2026-11" as "Nov 2026" / "Nov. 2026". */
  month(yearMonth: string): string;
  /** "today at 05:41", "yesterday at 17:02", "3 Dec 2026 at 05:41". */
  when(iso: string | null): string;
}

export function formatter(locale: AdminLocale, nowMs: number, timeZone = "UTC"): Formatter {
  const tag = INTL[locale];
  const time = new Intl.DateTimeFormat(tag, { hour: "2-digit", minute: "2-digit", timeZone });
  const day = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeZone });
  const dayKey = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone });
  return {
    locale,
    number: (n, digits = 0) => new Intl.NumberFormat(tag, { maximumFractionDigits: digits }).format(n),
    fixed: (n, digits) => new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n),
    percent: (f, digits = 1) => new Intl.NumberFormat(tag, { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(f),
    money: (amount, currency) => {
      try {
        return new Intl.NumberFormat(tag, { style: "currency", currency }).format(amount);
      } catch {
        return `${new Intl.NumberFormat(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)} ${currency}`;
      }
    },
    date: (iso) => (iso ? day.format(new Date(iso)) : translate(locale, "time.never")),
    month: (ym) => {
      const d = new Date(`${ym}-01T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? ym : new Intl.DateTimeFormat(tag, { month: "short", year: "numeric", timeZone: "UTC" }).format(d);
    },
    when: (iso) => {
      if (!iso) return translate(locale, "time.never");
      const d = new Date(iso);
      const k = dayKey.format(d);
      const t = time.format(d);
      if (k === dayKey.format(new Date(nowMs))) return translate(locale, "time.today", { time: t });
      if (k === dayKey.format(new Date(nowMs - 86_400_000))) return translate(locale, "time.yesterday", { time: t });
      return translate(locale, "time.on", { date: day.format(d), time: t });
    },
  };
}
