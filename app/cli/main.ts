import fs from "node:fs";
import path from "node:path";
import { ConfigError, dataDir } from "../env.server";
import { keepFilesPrivate } from "../server/privateFiles.server";
import { CliError, parseCommandArgs, type Command } from "./command";
import { jobFunction } from "../jobs/registry.server";
import { closeQueue, provideJobs } from "../queues/index.server";

// The CLI is an entry point: it gives the in-process queue its job registry.
provideJobs(jobFunction);

const COMMANDS_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), "commands");

function commandFiles(): string[] {
  return fs
    .readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
}

async function load(name: string): Promise<Command | undefined> {
  if (!commandFiles().includes(name)) return undefined;
  const mod = await import(path.join(COMMANDS_DIR, `${name}.ts`));
  return mod.default as Command;
}

async function overview(): Promise<string> {
  const lines = ["facet: personalised recommendations for Shopify stores", "", "Usage: facet <command> [flags]   (in a clone: npm run facet -- <command>)", "", "Commands:"];
  for (const name of commandFiles()) {
    const c = await load(name);
    if (c) lines.push(`  ${c.name.padEnd(16)} ${c.summary}`);
  }
  lines.push("", "Every command takes --shop <domain> (default: $FACET_SHOP or demo.myshopify.com) and --help.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(await overview());
    return 0;
  }
  try {
    const cmd = await load(name);
    if (!cmd) throw new CliError(`Unknown command "${name}". Run \`facet --help\` for the list.`, 2);
    const args = parseCommandArgs(cmd, rest);
    if (args.values.help) {
      console.log(cmd.help.trim());
      return 0;
    }
    keepFilesPrivate(dataDir()); // every file and folder the command creates: 0600 / 0700 (issue 15 point 7)
    return await cmd.run(args as never);
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError) {
      console.error(`facet ${name}: ${e.message}`);
      return e instanceof CliError ? e.exitCode : 78;
    }
    console.error(`facet ${name}: unexpected failure: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    const { closeDb } = await import("../db.server");
    await closeDb();
    await closeQueue();
  }
}
