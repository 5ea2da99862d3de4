import assert from "node:assert/strict";
import { offsetOf } from "../../../src/emulator/sql/ast.ts";

/** The position rule spelled out the slow way: walk lines, then code points. */
function reference(text: string, line: number, column: number): number {
  const chars = [...text];
  let l = 1, c = 1, offset = 0;
  for (const ch of chars) {
    if (l === line && c === column) return offset;
    if (ch === "\n") {
      if (l === line) {
        // A column past the line's end keeps counting into the next lines, as the parser's
        // positions never do but a caller might.
        c++;
      } else {
        l++;
        c = 1;
      }
    } else c++;
    offset += ch.length;
    if (l > line) return offset;
  }
  return text.length;
}

Deno.test("offsetOf: line/column positions to offsets, ASCII or not, on any line", () => {
  const texts = [
    "SELECT 1",
    "SELECT\n  a,\n  b\nFROM t",
    "SELECT 'déjà vu', '😀' AS e\nFROM t\nWHERE x = 'ü'",
    "\n\nSELECT 1\n",
    "SELECT '😀😀' || 'x'",
  ];
  for (const text of texts) {
    const lines = text.split("\n");
    for (let line = 1; line <= lines.length + 1; line++) {
      const width = [...(lines[line - 1] ?? "")].length;
      for (let column = 1; column <= width + 2; column++) {
        assert.equal(
          offsetOf(text, line, column),
          reference(text, line, column),
          `${JSON.stringify(text)} at ${line}:${column}`,
        );
      }
    }
  }
});

Deno.test("offsetOf: a statement's every span costs a line, not the text before it", () => {
  // 50,000 items on one line, each looked up (with a scan of the text before each, as this was
  // once, the IN list of the hostile SQL suite took 13 s).
  const items = Array.from({ length: 50_000 }, (_, i) => String(i));
  const text = `SELECT 7 IN (${items.join(",")})`;
  let column = "SELECT 7 IN (".length + 1;
  for (const item of items) {
    assert.equal(
      text.slice(offsetOf(text, 1, column), offsetOf(text, 1, column) + item.length),
      item,
    );
    column += item.length + 1;
  }
});
