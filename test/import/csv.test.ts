import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./helpers";
import { detectEncoding, guessDelimiter, parseCsvText, readCsv, readCsvSync, type CsvRecord } from "../../app/import/csv";

function tmp(content: string | Buffer): string {
  const f = path.join(tempDir(), "f.csv");
  fs.writeFileSync(f, content);
  return f;
}

function readAllSync(file: string, chunkSize?: number) {
  const records: CsvRecord[] = [];
  const problems: { line: number; message: string }[] = [];
  readCsvSync(file, (b) => { records.push(...b.records); problems.push(...b.problems); }, { chunkSize });
  return { records, problems };
}

describe("CSV reader", () => {
  it("gives each record the physical line it starts on, counting newlines inside quotes", () => {
    const { records } = parseCsvText('a,b\n1,"two\nlines"\n3,x\n\n4,"say ""hi"""\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 6]);
    expect(records[1].fields).toEqual(["1", "two\nlines"]);
    expect(records[3].fields).toEqual(["4", 'say "hi"']);
  });

  it("handles CRLF, a quoted delimiter and an empty last field", () => {
    const { records } = parseCsvText('a,b,c\r\n"x,y",2,\r\n"q"\r\n');
    expect(records[1].fields).toEqual(["x,y", "2", ""]);
    expect(records[2].fields).toEqual(["q"]);
    expect(records[2].line).toBe(3);
  });

  it("guesses , ; and tab from the header, ignoring quoted ones", () => {
    expect(guessDelimiter("a;b;c")).toBe(";");
    expect(guessDelimiter("a\tb\tc")).toBe("\t");
    expect(guessDelimiter('"a;b",c,d')).toBe(",");
    expect(parseCsvText("a;b\n1,5;2\n").records[1].fields).toEqual(["1,5", "2"]);
    const blankFirst = parseCsvText("\n\na;b\n1;2\n");
    expect(blankFirst.delimiter).toBe(";");
    expect(blankFirst.records[0]).toEqual({ line: 3, fields: ["a", "b"] });
  });

  it("reports an unclosed quote at the end (a truncated file) with its line", () => {
    const { records, problems } = parseCsvText('a,b\n1,2\n3,"never closed\nmore');
    expect(records).toHaveLength(2);
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining("never closed") }]);
  });

  it("yields the same records whatever the chunk size (quotes and CRLF across chunk boundaries)", async () => {
    const text = "id,name,note\r\n" + Array.from({ length: 300 }, (_, i) => `${i},"Anhänger ""${i}""","multi\r\nline ${i}, with comma"\r\n`).join("");
    const file = tmp(text);
    const whole = parseCsvText(text).records;
    for (const chunk of [1, 3, 7, 64, 1000]) expect(readAllSync(file, chunk).records).toEqual(whole);
    const asyncRecords: CsvRecord[] = [];
    for await (const b of readCsv(file, { chunkSize: 5 })) asyncRecords.push(...b.records);
    expect(asyncRecords).toEqual(whole);
    expect(whole[300].line).toBe(2 + 299 * 2);
  });

  it("detects UTF-8 with BOM and falls back to windows-1252 for Latin-1 bytes", () => {
    const bom = tmp(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a,b\nAnhänger,1\n")]));
    expect(detectEncoding(bom)).toEqual({ encoding: "utf-8", bom: true });
    expect(readAllSync(bom).records[0].fields).toEqual(["a", "b"]);
    const latin = tmp(Buffer.from("a;b\nAnh\xe4nger;\x80 5\n", "latin1"));
    expect(detectEncoding(latin).encoding).toBe("windows-1252");
    expect(readAllSync(latin).records[1].fields).toEqual(["Anhänger", "€ 5"]);
  });

  it("does not split a UTF-8 character across chunks", () => {
    const file = tmp("a\n" + "äöü€".repeat(100) + "\n");
    expect(detectEncoding(file).encoding).toBe("utf-8");
    expect(readAllSync(file, 5).records[1].fields[0]).toBe("äöü€".repeat(100));
  });
});
