-- Issue 15 point 4: ClientLink now holds only links a signed source made (the app proxy's
-- logged_in_customer_id). Every earlier row came from the web pixel's unsigned body (anyone could
-- have linked a client id to any customer), so they are dropped; shoppers are linked again the next
-- time they load a Facet block while logged in. Interactions already attributed keep their customer.
DELETE FROM "ClientLink";
