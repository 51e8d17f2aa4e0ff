-- Issue 15 point 7: every file Facet writes that can hold customer ids (batch --out CSVs,
-- data-request exports, campaign exports) is recorded here, so that customers/redact rewrites it
-- without the customer's rows and shop/redact deletes it, wherever it was written and however long
-- ago (job rows, which named batch outputs before, are pruned after the retention period).
-- app/models/exportFile.server.ts owns it.
CREATE TABLE "ExportFile" (
    "shop" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("shop", "path")
);
