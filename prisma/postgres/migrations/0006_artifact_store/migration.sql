-- Twin of prisma/migrations/20261203_3_artifact_store (issue 16 point 3, docs/decisions/0200-artifact-store.md).
-- CreateTable
CREATE TABLE "Artifact" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "files" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Artifact_pkey" PRIMARY KEY ("shop","kind","name")
);

-- CreateTable
CREATE TABLE "ArtifactChunk" (
    "shop" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "ArtifactChunk_pkey" PRIMARY KEY ("shop","sha256","seq")
);
