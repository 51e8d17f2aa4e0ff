/**
 * Issue 18 point 5 in-process: the privacy page finds a customer by id or by email (matched through
 * the shop's keyed hash, as customers/data_request does), shows what is held, switches the
 * personalisation opt-out, downloads the customers/data_request document, erases through the
 * `redact` job, and lists Shopify's privacy requests (data requests and erasures) with their outcome.
 */
import { expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { emailHmac } from "../../app/models/customer.server";
import { exportCustomerData } from "../../app/models/privacy.server";
import { applyDelivery } from "../../app/jobs/sync.server";
import { customerOverview, privacyAction, privacyData, privacyExport, refFromQuery } from "../../app/ui/privacy.server";

useTempDatabase();
const SHOP = "facet-privacy-page.myshopify.com";
const T = "2026-11-20T10:00:00.000Z";

function seed() {
  const db = rawDb();
  db.prepare(`INSERT INTO Shop (id, updatedAt) VALUES (?, ?)`).run(SHOP, T);
  db.prepare(`INSERT INTO Customer (shop, id, emailHash, segment, gender, ageGroup, country, marketingConsent, updatedAt) VALUES (?, ?, ?, 'vip', 'female', '26-35', 'DE', TRUE, ?)`).run(SHOP, "C7", emailHmac(SHOP, "ann@example.org"), T);
  db.prepare(`INSERT INTO Customer (shop, id, updatedAt) VALUES (?, 'C8', ?)`).run(SHOP, T);
  db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount) VALUES (?, 'O1', 'C7', ?, 'completed', 120)`).run(SHOP, T);
  db.prepare(`INSERT INTO OrderItem (shop, id, orderId, productId, quantity, unitPrice) VALUES (?, 'L1', 'O1', 'P1', 1, 120)`).run(SHOP);
  const ix = db.prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, 'C7', ?, 'view', ?)`);
  ix.run(SHOP, "I1", "P1", T);
  ix.run(SHOP, "I2", "P2", T);
}

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

it("reads an id, a gid or an email from the input, and nothing else", () => {
  expect(refFromQuery(" C7 ")).toEqual({ customerId: "C7" });
  expect(refFromQuery("gid://shopify/Customer/7215")).toEqual({ customerId: "7215" });
  expect(refFromQuery("Ann@Example.org")).toEqual({ email: "ann@example.org" });
  expect(refFromQuery("")).toBeNull();
  expect(refFromQuery("x'; DROP TABLE")).toBeNull();
});

it("finds the customer by id and by email (keyed hash), with what is held and what it is used for", () => {
  seed();
  const byId = customerOverview(SHOP, "C7")!;
  expect(byId.profile).toMatchObject({ id: "C7", segment: "vip", gender: "female", country: "DE", marketingConsent: true, optOut: false, emailHashed: true });
  expect(byId.held).toEqual([
    { what: "Order", count: 1 },
    { what: "OrderItem", count: 1 },
    { what: "Interaction", count: 2 },
  ]);
  const byEmail = customerOverview(SHOP, "ANN@example.org")!;
  expect(byEmail.profile?.id).toBe("C7");
  expect(byEmail.held).toEqual(byId.held);
  const nobody = customerOverview(SHOP, "nobody@example.org")!;
  expect(nobody.profile).toBeNull();
  expect(nobody.held).toEqual([]);
});

it("switches personalisation off and on for the customer (the flag the recommendation path reads)", async () => {
  const flag = () => (rawDb().prepare(`SELECT personalizationOptOut AS f FROM Customer WHERE shop = ? AND id = 'C7'`).get(SHOP) as { f: number }).f;
  expect(await privacyAction(SHOP, form({ intent: "optout", customerId: "C7" }))).toEqual({ ok: true, message: "optedOut" });
  expect(flag()).toBe(1);
  expect(customerOverview(SHOP, "C7")!.profile?.optOut).toBe(true);
  expect(await privacyAction(SHOP, form({ intent: "optin", customerId: "C7" }))).toEqual({ ok: true, message: "optedIn" });
  expect(flag()).toBe(0);
  expect(await privacyAction(SHOP, form({ intent: "optout", customerId: "nobody" }))).toEqual({ ok: false, message: "unknownCustomer" });
});

it("downloads the same document customers/data_request writes", async () => {
  const res = privacyExport(SHOP, new URL("http://x/demo/privacy/export?q=ann%40example.org"));
  expect(res.headers.get("Content-Disposition")).toContain("attachment");
  const doc = (await res.json()) as Record<string, unknown>;
  const direct = exportCustomerData(SHOP, { email: "ann@example.org" });
  expect({ ...doc, generatedAt: null }).toEqual({ ...direct, generatedAt: null });
  expect(Object.keys(doc.data as object).sort()).toEqual(["Customer", "Interaction", "Order", "OrderItem"]);
  expect(privacyExport(SHOP, new URL("http://x/demo/privacy/export")).status).toBe(400);
});

it("logs Shopify's data request with its export, and erases only after the confirmation, through the redact job", async () => {
  const body = { shop_domain: SHOP, customer: { id: "C7", email: "ann@example.org" }, orders_requested: ["O1"], data_request: { id: 99 } };
  // The job row as the queue writes it, then the sync job's work (what a customers/data_request delivery runs).
  const job = { shop: SHOP, topic: "CUSTOMERS_DATA_REQUEST", webhookId: "wh-dr-1", payload: JSON.stringify(body) };
  const r = await applyDelivery(job);
  rawDb()
    .prepare(`INSERT INTO JobRun (id, shop, name, status, payload, result, createdAt, finishedAt) VALUES (?, ?, 'sync', 'completed', ?, ?, ?, ?)`)
    .run(`wh-${SHOP}-wh-dr-1`, SHOP, JSON.stringify({ shop: SHOP, topic: "CUSTOMERS_DATA_REQUEST", webhookId: "wh-dr-1", dropped: ["payload"] }), JSON.stringify(r), T, T);
  expect(await privacyAction(SHOP, form({ intent: "erase", q: "C7" }))).toEqual({ ok: false, message: "confirmFirst" });
  expect(customerOverview(SHOP, "C7")!.profile?.id).toBe("C7");
  expect(await privacyAction(SHOP, form({ intent: "erase", q: "ann@example.org", confirm: "yes" }))).toEqual({ ok: true, message: "erased" });
  const after = customerOverview(SHOP, "C7")!;
  expect(after.profile).toBeNull();
  expect(after.held).toEqual([]);
  expect(customerOverview(SHOP, "C8")!.profile?.id).toBe("C8"); // nobody else
  const data = await privacyData(SHOP, new URL("http://x/demo/privacy"));
  expect(data.customer).toBeNull();
  const erase = data.log.find((e) => e.kind === "customer_redact")!;
  expect(erase).toMatchObject({ source: "admin", status: "completed", ordersAnonymised: 1 });
  expect(erase.rowsDeleted).toBeGreaterThanOrEqual(3); // the profile and two interactions
  const request = data.log.find((e) => e.kind === "data_request")!;
  expect(request).toMatchObject({ source: "shopify", status: "completed", exportFile: "data-request-99.json" });
  // The log never names the customer.
  expect(JSON.stringify(data.log)).not.toMatch(/\bC7\b|ann@/); // case-sensitive whole id: the log's own hex ids may hold "c7"
});
