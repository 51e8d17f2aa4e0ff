-- CreateTable
CREATE TABLE "ServingChange" (
    "shop" TEXT NOT NULL,
    "models" INTEGER NOT NULL DEFAULT 0,
    "settings" INTEGER NOT NULL DEFAULT 0,
    "catalog" INTEGER NOT NULL DEFAULT 0,
    "vectors" INTEGER NOT NULL DEFAULT 0,
    "customers" INTEGER NOT NULL DEFAULT 0,
    "interactions" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ServingChange_pkey" PRIMARY KEY ("shop")
);

