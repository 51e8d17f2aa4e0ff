-- Issue 15 point 7: orders keep the keyed hash of the buyer's email, never the address. The
-- addresses already stored are turned into their keyed hash (HMAC-SHA256 with a per-shop secret)
-- by the server at start-up (app/models/customer.server.ts migrateEmails: SQL has no HMAC), which
-- then sets Customer.email and Order.email to NULL and compacts the file.
ALTER TABLE "Order" ADD COLUMN "emailHash" TEXT;
