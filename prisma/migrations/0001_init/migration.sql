-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'EUR',
    "locale" TEXT NOT NULL DEFAULT 'de-DE',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Product" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "shopifyGid" TEXT,
    "handle" TEXT,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT NOT NULL,
    "subcategory" TEXT,
    "brand" TEXT NOT NULL,
    "collection" TEXT,
    "price" REAL NOT NULL,
    "salePrice" REAL,
    "imageUrl" TEXT NOT NULL,
    "additionalImages" TEXT,
    "material" TEXT NOT NULL,
    "color" TEXT,
    "gender" TEXT,
    "ageGroup" TEXT,
    "stoneType" TEXT,
    "weight" REAL,
    "size" TEXT,
    "stockStatus" TEXT NOT NULL,
    "createdDate" DATETIME,
    "tags" TEXT,
    "sourceUpdatedAt" DATETIME,
    "deletedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "ProductImage" (
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "hash" TEXT,
    "fetchedAt" DATETIME,

    PRIMARY KEY ("shop", "productId", "position")
);

-- CreateTable
CREATE TABLE "ProductEmbedding" (
    "shop" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "dim" INTEGER NOT NULL,
    "vector" BLOB NOT NULL,
    "imageHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "productId", "modelId")
);

-- CreateTable
CREATE TABLE "Customer" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "shopifyGid" TEXT,
    "email" TEXT,
    "emailHash" TEXT,
    "registrationDate" DATETIME,
    "gender" TEXT,
    "age" INTEGER,
    "ageGroup" TEXT,
    "country" TEXT,
    "state" TEXT,
    "city" TEXT,
    "postalCode" TEXT,
    "preferredLanguage" TEXT,
    "incomeBracket" TEXT,
    "segment" TEXT,
    "lifetimeValue" REAL,
    "totalOrders" INTEGER,
    "avgOrderValue" REAL,
    "preferredCategories" TEXT,
    "preferredMaterials" TEXT,
    "preferredPriceRange" TEXT,
    "marketingConsent" BOOLEAN,
    "personalizationOptOut" BOOLEAN NOT NULL DEFAULT false,
    "lastActiveDate" DATETIME,
    "sourceUpdatedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "Order" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "orderDate" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "totalAmount" REAL NOT NULL,
    "discountAmount" REAL,
    "paymentMethod" TEXT,
    "shippingMethod" TEXT,
    "deliveryDate" DATETIME,
    "numItems" INTEGER,
    "isGift" BOOLEAN,
    "occasion" TEXT,
    "email" TEXT,
    "sourceUpdatedAt" DATETIME,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "OrderItem" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unitPrice" REAL NOT NULL,
    "discountApplied" REAL,
    "finalPrice" REAL,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "Interaction" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "customerId" TEXT,
    "clientId" TEXT,
    "productId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "timestamp" DATETIME NOT NULL,
    "sessionId" TEXT,
    "duration" INTEGER,
    "deviceType" TEXT,
    "referrerSource" TEXT,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "ClientLink" (
    "shop" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "linkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "clientId")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "params" TEXT,
    "metrics" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "publishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Setting" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "key")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "progress" REAL NOT NULL DEFAULT 0,
    "message" TEXT,
    "payload" TEXT,
    "result" TEXT,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "shop" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "webhookId")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "modelVersionId" INTEGER,
    "split" TEXT NOT NULL,
    "k" INTEGER NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "InventoryItem" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "available" INTEGER,
    "continueSelling" BOOLEAN NOT NULL DEFAULT false,
    "tracked" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "id")
);

-- CreateTable
CREATE TABLE "InventoryLevel" (
    "shop" TEXT NOT NULL,
    "inventoryItemId" TEXT NOT NULL,
    "locationId" TEXT NOT NULL,
    "available" INTEGER NOT NULL,
    "sourceUpdatedAt" DATETIME,

    PRIMARY KEY ("shop", "inventoryItemId", "locationId")
);

-- CreateTable
CREATE TABLE "RecommendationEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "recommendationId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "position" INTEGER,
    "customerId" TEXT,
    "clientId" TEXT,
    "experimentId" TEXT,
    "variant" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ProductImpressionDaily" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "impressions" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day", "productId")
);

-- CreateTable
CREATE TABLE "AbandonedCheckout" (
    "shop" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "customerId" TEXT,
    "productIds" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "completedAt" DATETIME,

    PRIMARY KEY ("shop", "checkoutId")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "spec" TEXT NOT NULL,
    "schedule" TEXT,
    "lastRunAt" DATETIME,
    "lastExport" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "variants" TEXT NOT NULL,
    "startAt" DATETIME,
    "endAt" DATETIME,
    "winner" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ExperimentExposure" (
    "shop" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "shopper" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "experimentId", "shopper")
);

-- CreateTable
CREATE TABLE "RecEventDaily" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL DEFAULT '',
    "variant" TEXT NOT NULL DEFAULT '',
    "impressions" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "addToCarts" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day", "placement", "experimentId", "variant")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "Product_shop_category_idx" ON "Product"("shop", "category");

-- CreateIndex
CREATE INDEX "Product_shop_updatedAt_idx" ON "Product"("shop", "updatedAt");

-- CreateIndex
CREATE INDEX "ProductEmbedding_shop_modelId_idx" ON "ProductEmbedding"("shop", "modelId");

-- CreateIndex
CREATE INDEX "ProductEmbedding_shop_createdAt_idx" ON "ProductEmbedding"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "Customer_shop_updatedAt_idx" ON "Customer"("shop", "updatedAt");

-- CreateIndex
CREATE INDEX "Order_shop_customerId_idx" ON "Order"("shop", "customerId");

-- CreateIndex
CREATE INDEX "OrderItem_shop_orderId_idx" ON "OrderItem"("shop", "orderId");

-- CreateIndex
CREATE INDEX "OrderItem_shop_productId_idx" ON "OrderItem"("shop", "productId");

-- CreateIndex
CREATE INDEX "Interaction_shop_customerId_timestamp_idx" ON "Interaction"("shop", "customerId", "timestamp");

-- CreateIndex
CREATE INDEX "Interaction_shop_clientId_timestamp_idx" ON "Interaction"("shop", "clientId", "timestamp");

-- CreateIndex
CREATE INDEX "Interaction_shop_timestamp_idx" ON "Interaction"("shop", "timestamp");

-- CreateIndex
CREATE INDEX "ClientLink_shop_customerId_idx" ON "ClientLink"("shop", "customerId");

-- CreateIndex
CREATE INDEX "ModelVersion_shop_status_idx" ON "ModelVersion"("shop", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_shop_kind_version_key" ON "ModelVersion"("shop", "kind", "version");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_shop_idx" ON "ApiKey"("shop");

-- CreateIndex
CREATE INDEX "JobRun_shop_name_createdAt_idx" ON "JobRun"("shop", "name", "createdAt");

-- CreateIndex
CREATE INDEX "Evaluation_shop_createdAt_idx" ON "Evaluation"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "InventoryItem_shop_productId_idx" ON "InventoryItem"("shop", "productId");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_recommendationId_idx" ON "RecommendationEvent"("shop", "recommendationId");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_at_idx" ON "RecommendationEvent"("shop", "at");

-- CreateIndex
CREATE INDEX "RecommendationEvent_shop_type_placement_at_idx" ON "RecommendationEvent"("shop", "type", "placement", "at");

-- CreateIndex
CREATE INDEX "AbandonedCheckout_shop_customerId_idx" ON "AbandonedCheckout"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Campaign_shop_idx" ON "Campaign"("shop");

-- CreateIndex
CREATE INDEX "Experiment_shop_placement_status_idx" ON "Experiment"("shop", "placement", "status");

