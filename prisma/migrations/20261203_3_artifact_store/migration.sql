-- Issue 16 point 3: model artifacts (model versions, serving bundles, visual indexes) in the
-- database, so that machines that share no disk share them (docs/decisions/0200-artifact-store.md).
-- An artifact is a named, immutable set of files of one shop; its row is written last, in the same
-- transaction as its chunks: a row means complete. File contents are stored once per shop by their
-- sha256, in chunks of at most 1 MiB (app/models/artifact.server.ts).
CREATE TABLE "Artifact" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "files" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("shop", "kind", "name")
);

CREATE TABLE "ArtifactChunk" (
    "shop" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    PRIMARY KEY ("shop", "sha256", "seq")
);
