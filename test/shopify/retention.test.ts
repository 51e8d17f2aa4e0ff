/**
 * Issue 15 point 7 in-process: emails already stored in plain text become their keyed hash at
 * start-up (migrateEmails), finished jobs keep ids and not bodies (minimalPayload), and finished
 * job rows and webhook deliveries older than the retention are pruned, newer and unfinished kept.
 */
import { expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { emailHmac, legacyEmailHash, migrateEmails } from "../../app/models/customer.server";
import { minimalPayload } from "../../app/models/jobRun.server";
import { pruneRetention } from "../../app/models/delivery.server";
import { redactCustomer } from "../../app/models/privacy.server";

useTempDatabase();
const SHOP = "facet-retention.myshopify.com";

it("turns plain-text emails into a per-shop keyed hash, and redaction still finds the customer by email", () => {
  const db = rawDb();
  db.prepare(`INSERT INTO Customer (shop, id, email, emailHash, updatedAt) VALUES (?, 'c1', 'Ann@Example.org', ?, ?)`).run(SHOP, legacyEmailHash("ann@example.org"), new Date().toISOString());
  db.prepare(`INSERT INTO Customer (shop, id, email, updatedAt) VALUES ('other.myshopify.com', 'c1', 'ann@example.org', ?)`).run(new Date().toISOString());
  db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount, email) VALUES (?, 'o1', NULL, ?, 'completed', 10, 'ann@example.org')`).run(SHOP, new Date().toISOString());
  expect(migrateEmails()).toEqual({ customers: 2, orders: 1 });
  expect(migrateEmails()).toEqual({ customers: 0, orders: 0 });
  const rows = db.prepare(`SELECT shop, email, emailHash FROM Customer ORDER BY shop`).all() as { shop: string; email: string | null; emailHash: string }[];
  expect(rows.every((r) => r.email === null)).toBe(true);
  expect(rows.find((r) => r.shop === SHOP)!.emailHash).toBe(emailHmac(SHOP, "ann@example.org"));
  // Per shop: the same address hashes differently in another shop, and not to the unsalted sha256.
  expect(new Set(rows.map((r) => r.emailHash)).size).toBe(2);
  expect(rows.map((r) => r.emailHash)).not.toContain(legacyEmailHash("ann@example.org"));
  expect(db.prepare(`SELECT email, emailHash FROM "Order" WHERE id = 'o1'`).get()).toEqual({ email: null, emailHash: emailHmac(SHOP, "ann@example.org") });
  // customers/redact naming only the email: the customer goes and the guest order loses its hash.
  const r = redactCustomer(SHOP, { email: "ANN@example.org" });
  expect(r.customerIds).toEqual(["c1"]);
  expect(db.prepare(`SELECT COUNT(*) AS n FROM Customer WHERE shop = ?`).get(SHOP)).toEqual({ n: 0 });
  expect(db.prepare(`SELECT emailHash FROM "Order" WHERE id = 'o1'`).get()).toEqual({ emailHash: null });
});

it("keeps ids, not bodies, of a finished job", () => {
  const body = JSON.stringify({ id: 1, first_name: "Ann", phone: "+43 1", shipping_address: { address1: "Weg 1" } });
  expect(minimalPayload({ shop: SHOP, topic: "orders/create", webhookId: "w1", payload: body, triggeredAt: "2026-01-01T00:00:00Z" })).toEqual({
    shop: SHOP,
    topic: "orders/create",
    webhookId: "w1",
    triggeredAt: "2026-01-01T00:00:00Z",
    dropped: ["payload"],
  });
  expect(minimalPayload({ shop: SHOP, productIds: ["1", "2"], customer: { name: "Ann" } })).toEqual({ shop: SHOP, productIds: ["1", "2"], dropped: ["customer"] });
});

it("prunes finished job rows and deliveries older than the retention, keeps newer and unfinished ones", () => {
  const db = rawDb();
  const now = new Date("2027-03-01T00:00:00Z");
  const day = 24 * 3600 * 1000;
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day).toISOString();
  const job = db.prepare(`INSERT INTO JobRun (id, shop, name, status, createdAt, finishedAt) VALUES (?, ?, 'sync', ?, ?, ?)`);
  job.run("old-done", SHOP, "completed", at(40), at(40));
  job.run("old-failed", SHOP, "failed", at(31), at(31));
  job.run("old-queued", SHOP, "queued", at(40), null);
  job.run("new-done", SHOP, "completed", at(29), at(29));
  const del = db.prepare(`INSERT INTO WebhookDelivery (shop, webhookId, topic, receivedAt) VALUES (?, ?, 'orders/create', ?)`);
  del.run(SHOP, "w-old", at(35));
  del.run(SHOP, "w-new", at(1));
  expect(pruneRetention(now, 30)).toMatchObject({ jobRuns: 2, deliveries: 1 });
  expect((db.prepare(`SELECT id FROM JobRun ORDER BY id`).all() as { id: string }[]).map((r) => r.id)).toEqual(["new-done", "old-queued"]);
  // The redaction tombstone of the first test (a hash; topic tombstone/customer) stays.
  expect((db.prepare(`SELECT webhookId, topic FROM WebhookDelivery`).all() as { webhookId: string; topic: string }[]).map((r) => (r.topic.startsWith("tombstone/") ? "tombstone" : r.webhookId)).sort()).toEqual(["tombstone", "w-new"]);
});
