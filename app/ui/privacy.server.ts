/**
 * The privacy page's loader, actions and export download (shared by /app and /demo). What Facet
 * holds about a customer is read from the very document customers/data_request writes
 * (app/models/privacy.server.ts exportCustomerData: it resolves an id, or an email through the
 * shop's keyed hash, exactly as the webhook does); erasing enqueues the `redact` job that
 * customers/redact runs; the opt-out is the flag the recommendation path reads (an opted-out
 * customer gets the anonymous answer).
 */
import crypto from "node:crypto";
import { setPersonalizationOptOut } from "../models/customerProfile.server";
import { exportCustomerData, privacyRequestLog, type CustomerRef } from "../models/privacy.server";
import { queue } from "../queues/index.server";
import { refreshSnapshot } from "../serving/snapshot.server";
import type { HeldItem, PrivacyActionResult, PrivacyData, PrivacyLogEntry, PrivacyProfile } from "./PrivacyPage";
import { systemClock } from "../clock";

/** An id, or (with an @) an email: the input the merchant typed. */
export function refFromQuery(q: string): CustomerRef | null {
  const v = q.trim();
  if (!v) return null;
  if (v.includes("@")) return { email: v.toLowerCase() };
  return /^[\w:/.-]{1,128}$/.test(v) ? { customerId: v.startsWith("gid://") ? v.split("/").pop()! : v } : null;
}

const TABLES: HeldItem["what"][] = ["Order", "OrderItem", "Interaction", "ClientLink", "RecommendationEvent", "ExperimentExposure", "AbandonedCheckout", "JobRun"];

/** What the page shows of one customer: the profile's fields (never an email: only its keyed hash is held) and a count per kind of record. */
export function customerOverview(shop: string, q: string): PrivacyData["customer"] {
  const ref = refFromQuery(q);
  if (!ref) return { query: q, valid: false, profile: null, held: [], modelVersions: 0, files: 0 };
  const doc = exportCustomerData(shop, ref);
  const data = doc.data as Record<string, Record<string, unknown>[]>;
  const c = data.Customer?.[0];
  const profile: PrivacyProfile | null = c
    ? {
        id: String(c.id),
        segment: (c.segment as string | null) ?? null,
        gender: (c.gender as string | null) ?? null,
        ageGroup: (c.ageGroup as string | null) ?? null,
        country: (c.country as string | null) ?? null,
        language: (c.preferredLanguage as string | null) ?? null,
        registeredAt: c.registrationDate ? new Date(c.registrationDate as string).toISOString() : null,
        marketingConsent: c.marketingConsent === null || c.marketingConsent === undefined ? null : Boolean(c.marketingConsent),
        optOut: Boolean(c.personalizationOptOut),
        emailHashed: Boolean(c.emailHash),
      }
    : null;
  const held = TABLES.map((what) => ({ what, count: data[what]?.length ?? 0 })).filter((h) => h.count > 0);
  return { query: q, valid: true, profile, held, modelVersions: (doc.modelVersionsContainingCustomer as string[]).length, files: (doc.files as unknown[]).length };
}

function logEntry(r: ReturnType<typeof privacyRequestLog>[number]): PrivacyLogEntry {
  const x = r.result ?? {};
  const deleted = Object.values((x.rowsDeleted ?? {}) as Record<string, number>).reduce((s, n) => s + n, 0);
  return {
    id: r.id,
    kind: r.kind,
    source: r.source,
    status: r.status,
    receivedAt: r.receivedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    // Counts only: the job's result never names the customer.
    exportFile: typeof x.exportFile === "string" ? x.exportFile.split("/").pop()! : null,
    rowsDeleted: r.kind === "data_request" || r.status !== "completed" ? null : deleted,
    ordersAnonymised: typeof x.ordersAnonymised === "number" ? x.ordersAnonymised : null,
    filesRewritten: typeof x.filesRewritten === "number" ? x.filesRewritten : typeof x.folders === "number" ? x.folders : null,
  };
}

export async function privacyData(shop: string, url: URL): Promise<PrivacyData> {
  const q = url.searchParams.get("q") ?? "";
  return { shop, customer: q.trim() ? customerOverview(shop, q) : null, log: privacyRequestLog(shop).map(logEntry) };
}

/** intent = optout | optin (customerId) or erase (q: the id or email looked up, confirm=yes). */
export async function privacyAction(shop: string, form: FormData, nowMs = systemClock.nowMs()): Promise<PrivacyActionResult> {
  const intent = String(form.get("intent") ?? "");
  if (intent === "optout" || intent === "optin") {
    const id = String(form.get("customerId") ?? "");
    if (!setPersonalizationOptOut(shop, id, intent === "optout")) return { ok: false, message: "unknownCustomer" };
    await refreshSnapshot(shop, nowMs); // the next recommendation request already answers anonymously (or personally again)
    return { ok: true, message: intent === "optout" ? "optedOut" : "optedIn" };
  }
  if (intent === "erase") {
    const ref = refFromQuery(String(form.get("q") ?? ""));
    if (!ref) return { ok: false, message: "badQuery" };
    if (form.get("confirm") !== "yes") return { ok: false, message: "confirmFirst" };
    const handle = await (await queue()).enqueue(
      "redact",
      { shop, customerId: ref.customerId ?? undefined, email: ref.email ?? undefined },
      { jobId: `privacy-redact-${crypto.randomBytes(6).toString("hex")}`, attempts: 5 },
    );
    // In-process the erasure takes well under a second; with a worker it may wait in the queue (the log shows it).
    const done = await Promise.race([handle.finished().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]).catch(() => false);
    return { ok: true, message: done ? "erased" : "eraseQueued" };
  }
  return { ok: false, message: "unknownAction" };
}

/** The same JSON document customers/data_request writes, as a download. */
export function privacyExport(shop: string, url: URL): Response {
  const ref = refFromQuery(url.searchParams.get("q") ?? "");
  if (!ref) return new Response("Give a customer id or email: ?q=…", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const doc = exportCustomerData(shop, ref);
  const name = (ref.customerId ?? "customer").replace(/[^\w-]/g, "_");
  return new Response(JSON.stringify(doc, null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="facet-data-${name}.json"`, "Cache-Control": "no-store" },
  });
}
