#!/usr/bin/env node
// The `facet` command line. TypeScript sources run through tsx, so a fresh clone needs no build.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../app/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
