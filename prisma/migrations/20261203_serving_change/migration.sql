-- Issue 17, point 2: a per-shop change counter, so that a serving snapshot asks "has anything
-- changed?" with one primary-key read instead of COUNT(*)/MAX aggregates over the big tables.
-- Every insert, update or delete of the rows a snapshot is built from bumps its kind's counter
-- (triggers: every writer counts, whatever path it takes: import, sync, ingest, admin, CLI).
CREATE TABLE "ServingChange" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "models" INTEGER NOT NULL DEFAULT 0,
    "settings" INTEGER NOT NULL DEFAULT 0,
    "catalog" INTEGER NOT NULL DEFAULT 0,
    "vectors" INTEGER NOT NULL DEFAULT 0,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "interactions" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER "ServingChange_ModelVersion_insert" AFTER INSERT ON ModelVersion WHEN NEW.status = 'published' BEGIN
  INSERT INTO "ServingChange" ("shop", "models") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "models" = "models" + 1;
END;

CREATE TRIGGER "ServingChange_ModelVersion_update" AFTER UPDATE ON ModelVersion WHEN NEW.status = 'published' OR OLD.status = 'published' BEGIN
  INSERT INTO "ServingChange" ("shop", "models") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "models" = "models" + 1;
END;

CREATE TRIGGER "ServingChange_ModelVersion_delete" AFTER DELETE ON ModelVersion WHEN OLD.status = 'published' BEGIN
  INSERT INTO "ServingChange" ("shop", "models") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "models" = "models" + 1;
END;

CREATE TRIGGER "ServingChange_Setting_insert" AFTER INSERT ON Setting BEGIN
  INSERT INTO "ServingChange" ("shop", "settings") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "settings" = "settings" + 1;
END;

CREATE TRIGGER "ServingChange_Setting_update" AFTER UPDATE ON Setting BEGIN
  INSERT INTO "ServingChange" ("shop", "settings") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "settings" = "settings" + 1;
END;

CREATE TRIGGER "ServingChange_Setting_delete" AFTER DELETE ON Setting BEGIN
  INSERT INTO "ServingChange" ("shop", "settings") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "settings" = "settings" + 1;
END;

CREATE TRIGGER "ServingChange_Product_insert" AFTER INSERT ON Product BEGIN
  INSERT INTO "ServingChange" ("shop", "catalog") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "catalog" = "catalog" + 1;
END;

CREATE TRIGGER "ServingChange_Product_update" AFTER UPDATE ON Product BEGIN
  INSERT INTO "ServingChange" ("shop", "catalog") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "catalog" = "catalog" + 1;
END;

CREATE TRIGGER "ServingChange_Product_delete" AFTER DELETE ON Product BEGIN
  INSERT INTO "ServingChange" ("shop", "catalog") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "catalog" = "catalog" + 1;
END;

CREATE TRIGGER "ServingChange_ProductEmbedding_insert" AFTER INSERT ON ProductEmbedding BEGIN
  INSERT INTO "ServingChange" ("shop", "vectors") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "vectors" = "vectors" + 1;
END;

CREATE TRIGGER "ServingChange_ProductEmbedding_update" AFTER UPDATE ON ProductEmbedding BEGIN
  INSERT INTO "ServingChange" ("shop", "vectors") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "vectors" = "vectors" + 1;
END;

CREATE TRIGGER "ServingChange_ProductEmbedding_delete" AFTER DELETE ON ProductEmbedding BEGIN
  INSERT INTO "ServingChange" ("shop", "vectors") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "vectors" = "vectors" + 1;
END;

CREATE TRIGGER "ServingChange_Customer_insert" AFTER INSERT ON Customer BEGIN
  INSERT INTO "ServingChange" ("shop", "customers") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "customers" = "customers" + 1;
END;

CREATE TRIGGER "ServingChange_Customer_update" AFTER UPDATE ON Customer BEGIN
  INSERT INTO "ServingChange" ("shop", "customers") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "customers" = "customers" + 1;
END;

CREATE TRIGGER "ServingChange_Customer_delete" AFTER DELETE ON Customer BEGIN
  INSERT INTO "ServingChange" ("shop", "customers") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "customers" = "customers" + 1;
END;

CREATE TRIGGER "ServingChange_Interaction_insert" AFTER INSERT ON Interaction BEGIN
  INSERT INTO "ServingChange" ("shop", "interactions") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "interactions" = "interactions" + 1;
END;

CREATE TRIGGER "ServingChange_Interaction_update" AFTER UPDATE ON Interaction BEGIN
  INSERT INTO "ServingChange" ("shop", "interactions") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "interactions" = "interactions" + 1;
END;

CREATE TRIGGER "ServingChange_Interaction_delete" AFTER DELETE ON Interaction BEGIN
  INSERT INTO "ServingChange" ("shop", "interactions") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "interactions" = "interactions" + 1;
END;

CREATE TRIGGER "ServingChange_Order_insert" AFTER INSERT ON "Order" BEGIN
  INSERT INTO "ServingChange" ("shop", "orders") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "orders" = "orders" + 1;
END;

CREATE TRIGGER "ServingChange_Order_update" AFTER UPDATE ON "Order" BEGIN
  INSERT INTO "ServingChange" ("shop", "orders") VALUES (NEW."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "orders" = "orders" + 1;
END;

CREATE TRIGGER "ServingChange_Order_delete" AFTER DELETE ON "Order" BEGIN
  INSERT INTO "ServingChange" ("shop", "orders") VALUES (OLD."shop", 1)
  ON CONFLICT("shop") DO UPDATE SET "orders" = "orders" + 1;
END;
