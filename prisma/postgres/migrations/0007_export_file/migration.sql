-- Twin of prisma/migrations/20261204_export_file (issue 15 point 7: files that can hold customer ids).
-- CreateTable
CREATE TABLE "ExportFile" (
    "shop" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExportFile_pkey" PRIMARY KEY ("shop","path")
);
