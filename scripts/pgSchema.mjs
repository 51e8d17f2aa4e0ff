// The PostgreSQL side of prisma/schema.prisma (docs/decisions/0160); used by scripts/prisma.mjs and test/db/postgres.test.ts.
/** prisma/postgres/schema.prisma: prisma/schema.prisma with the PostgreSQL datasource and its own client output. */
export function postgresSchema(src) {
  const out = src
    .replace(/provider = "sqlite"/, 'provider = "postgresql"')
    .replace(/url {6}= "file:[^\n]*/, 'url      = env("DATABASE_URL") // ignored at run time: the app passes DATABASE_URL to @prisma/adapter-pg')
    .replace(/(engineType = "client"\n)/, '$1  output     = "../../node_modules/.prisma-pg/client"\n');
  if (out === src || !out.includes('provider = "postgresql"') || !out.includes(".prisma-pg")) throw new Error("prisma/schema.prisma: the generator/datasource blocks are not in the expected shape");
  return "// GENERATED from prisma/schema.prisma by `node scripts/prisma.mjs migration`: edit that file, not this one.\n" + out;
}
