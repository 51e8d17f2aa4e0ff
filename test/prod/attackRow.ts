/**
 * Issue 15 point 10: the attack table, re-run against the built server. Each test that
 * performs one of the attacks records its row here with the figures of this run: printed, and with
 * FACET_ATTACK_REPORT=<file> appended to that file as a Markdown table row, led by the number of
 * the bullet ("What was measured") so that `sort -n` orders a run of several test files
 * (docs/SECURITY.md shows the table of a run and the command that prints it).
 */
import fs from "node:fs";
import path from "node:path";

export interface AttackRow {
  /** The bullet of the "What was measured" list, 1-10. */
  bullet: number;
  attack: string;
  /** How it was sent (route, method, headers, body). */
  how: string;
  /** The status or result this run measured. */
  now: string;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Records a row; `testFile` is the caller's import.meta.url (the table names the test that covers it). */
export function attackRow(testFile: string, row: AttackRow): void {
  const test = path.relative(path.resolve(path.dirname(new URL(import.meta.url).pathname), "../.."), new URL(testFile).pathname);
  const line = `| ${row.bullet} | ${cell(row.attack)} | ${cell(row.how)} | ${cell(row.now)} | ${test} |`;
  console.log(`attack row: ${line}`);
  if (process.env.FACET_ATTACK_REPORT) fs.appendFileSync(process.env.FACET_ATTACK_REPORT, line + "\n");
}
