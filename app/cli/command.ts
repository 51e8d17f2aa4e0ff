/**
 * A `facet` command: one file per command in app/cli/commands/, found by name at run time,
 * so adding a command never touches a central list.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { systemClock, timeFrom } from "../clock";

export interface Command {
  name: string;
  summary: string;
  /** Full help text: usage line, flags with defaults, an example. */
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Returns the exit code. Throw CliError for a clear message and exit code 1. */
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }): Promise<number>;
}

/** An error for the operator: printed as is, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  shop: { type: "string" },
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
} as const;

export function parseCommandArgs(cmd: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\nRun \`facet ${cmd.name} --help\` for the flags it takes.`, 2);
  }
}

export function defineCommand(c: Command): Command {
  return c;
}

/** Parses an integer flag, with the flag's name in the error. */
/** `--now <ISO time>`: the time a command computes for (docs/decisions/0100); absent, the clock as the command starts. */
export function nowFlag(value: unknown): Date {
  try {
    return timeFrom(typeof value === "string" ? value : undefined, systemClock, "--now");
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}

export function intFlag(value: unknown, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer >= ${min} (got ${JSON.stringify(value)})`, 2);
  return n;
}
