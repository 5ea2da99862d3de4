/**
 * Just enough HTML reading for the web tests: the pages are hono JSX output (well-formed, one
 * element per tag, attributes quoted), so sections, tables and KPI tiles are found by their
 * markup and read as text, the way a person (or a screen reader) reads them.
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** `s` with HTML character references replaced by their characters. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X"
        ? parseInt(ref.slice(2), 16)
        : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Elements that run on within a line of text; every other tag separates words. */
const INLINE = /^<\/?(a|abbr|b|code|em|i|q|small|span|strong|time|wbr)\b/i;

/** The text of an HTML fragment: tags dropped, references decoded, white space collapsed. */
export function textOf(html: string): string {
  return decodeEntities(
    html.replace(/<svg[\s\S]*?<\/svg>/g, " ").replace(/<[^>]*>/g, (t) => INLINE.test(t) ? "" : " "),
  ).replace(/\s+/g, " ").trim();
}

/** Attribute text as hono writes it (escaped). */
function escapeAttr(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("'", "&#39;")
    .replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The element starting at `start` (an opening `<tag`), through its matching closing tag. */
function elementAt(html: string, start: number, tag: string): string {
  const re = new RegExp(`<${tag}[\\s>]|</${tag}>`, "g");
  re.lastIndex = start;
  let depth = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith("</") ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index + m[0].length);
  }
  throw new Error(`unclosed <${tag}> at ${start}`);
}

/** Every `<tag …>` element whose opening tag has `attr="value"`, outermost first. */
export function elementsWith(html: string, tag: string, attr: string, value: string): string[] {
  const out: string[] = [];
  const open = new RegExp(`<${tag}\\b[^>]*\\s${attr}="${escapeRe(escapeAttr(value))}"[^>]*>`, "g");
  for (const m of html.matchAll(open)) out.push(elementAt(html, m.index!, tag));
  return out;
}

/** The one `<section aria-label="label">` (a panel); throws when there is none or several. */
export function section(html: string, label: string): string {
  const found = elementsWith(html, "section", "aria-label", label);
  if (found.length !== 1) {
    throw new Error(`expected one section "${label}", found ${found.length}`);
  }
  return found[0];
}

/** Whether a `<section aria-label="label">` is there. */
export function hasSection(html: string, label: string): boolean {
  return elementsWith(html, "section", "aria-label", label).length > 0;
}

/** The element with `id="id"`. */
export function byId(html: string, tag: string, id: string): string {
  const found = elementsWith(html, tag, "id", id);
  if (found.length !== 1) {
    throw new Error(`expected one <${tag} id="${id}">, found ${found.length}`);
  }
  return found[0];
}

/** A table read as text. */
export interface TableText {
  caption: string | null;
  head: string[];
  rows: string[][];
}

/** Every `<table>` of `html`, in order. */
export function tables(html: string): TableText[] {
  const out: TableText[] = [];
  for (const m of html.matchAll(/<table[\s>]/g)) {
    const t = elementAt(html, m.index!, "table");
    const caption = t.match(/<caption[^>]*>([\s\S]*?)<\/caption>/);
    const cells = (row: string) =>
      [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[1]));
    const head = t.match(/<thead>([\s\S]*?)<\/thead>/);
    const body = t.match(/<tbody>([\s\S]*?)<\/tbody>/);
    out.push({
      caption: caption ? textOf(caption[1]) : null,
      head: head ? cells(head[1]) : [],
      rows: body ? [...body[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cells(r[1])) : [],
    });
  }
  return out;
}

/** The one table of `html`. */
export function onlyTable(html: string): TableText {
  const all = tables(html);
  if (all.length !== 1) throw new Error(`expected one table, found ${all.length}`);
  return all[0];
}

/** KPI tiles by label: the value, and the change line when the tile has one. */
export function kpis(html: string): Map<string, { value: string; delta: string | null }> {
  const out = new Map<string, { value: string; delta: string | null }>();
  for (const tile of elementsWith(html, "div", "class", "kpi")) {
    const part = (cls: string) => {
      const m = tile.match(new RegExp(`<div class="${cls}[^"]*">([\\s\\S]*?)</div>`));
      return m ? textOf(m[1]) : null;
    };
    out.set(part("label")!, { value: part("value")!, delta: part("delta") });
  }
  return out;
}

/** The `href`s of the links in `html`, decoded. */
export function links(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\shref="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
