/**
 * Runs an ECharts option through its server-side SVG renderer and writes markup that a page
 * with `style-src 'self'` and `script-src 'self'` can inline as is.
 *
 * ECharts' own string output (`renderToSVGString`) carries a `<style>` block of `:hover` rules,
 * per-element class names from a process-wide counter, `style="font-…"` on every `<text>`,
 * unescaped attribute values and per-instance ids (`zr3-c0`). So instead of patching that string,
 * this takes zrender's element tree (what `renderToSVGString` serialises, built with CSS hover and
 * CSS animation off) and serialises it here: known SVG elements only, inline styles turned into
 * presentation attributes, everything escaped, ids renamed to a caller-chosen prefix.
 *
 * @module
 */
import * as echarts from "echarts/core";
import { install as BarChart } from "echarts/lib/chart/bar/install.js";
import { install as LineChart } from "echarts/lib/chart/line/install.js";
import { install as GridComponent } from "echarts/lib/component/grid/installSimple.js";
import { install as LegendComponent } from "echarts/lib/component/legend/installLegendPlain.js";
import { install as TitleComponent } from "echarts/lib/component/title/install.js";
import { install as SVGRenderer } from "echarts/lib/renderer/installSVGRenderer.js";
import type { EChartsOption } from "echarts";

// Only what the pages draw, each from its own module: the whole library (or the `echarts/charts`
// and `echarts/components` indexes, which load every chart and component) took about 40 MB more
// memory in every process that serves a page, and longer to load.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

/** One node of zrender's SVG element tree (zrender `svg/core` `SVGVNode`). */
export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number | boolean | null | undefined>;
  children?: SvgNode[];
  text?: string;
}

/** The SVG painter's tree builder (zrender `SVGPainter.renderToVNode`), behind `getZr().painter`. */
interface SvgTreePainter {
  renderToVNode(opts: {
    animation: boolean;
    emphasis: boolean;
    willUpdate: boolean;
    compress: boolean;
    useViewBox: boolean;
  }): SvgNode;
}

function isSvgTreePainter(p: unknown): p is SvgTreePainter {
  return typeof (p as { renderToVNode?: unknown } | null)?.renderToVNode === "function";
}

/** How the rendered chart sits in the page. */
export interface SvgFrame {
  /** Drawing size in px; also the viewBox. */
  width: number;
  height: number;
  /** The accessible name: `aria-label` and `<title>`. */
  title: string;
  /** A longer text alternative, written as `<desc>` when given. */
  description?: string;
  /** Prefix for every id inside the SVG; must be unique on the page. */
  idPrefix: string;
  /** Class attribute of the root `<svg>`, for the page's stylesheet. */
  className: string;
  /**
   * true: `width="100%"` and no height, so the chart scales to its container's width and keeps
   * its aspect ratio. false: a fixed `width`/`height`.
   */
  fluid: boolean;
}

/** Elements ECharts' SVG renderer draws charts with; anything else is dropped with its subtree. */
const ALLOWED_ELEMENTS = new Set([
  "svg",
  "g",
  "defs",
  "clipPath",
  "linearGradient",
  "radialGradient",
  "stop",
  "path",
  "rect",
  "circle",
  "ellipse",
  "line",
  "polyline",
  "polygon",
  "text",
  "tspan",
]);

/** Style properties that have an SVG presentation attribute of the same name. */
const PRESENTATION_PROPERTIES = new Set([
  "fill",
  "fill-opacity",
  "fill-rule",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-dasharray",
  "stroke-dashoffset",
  "stroke-linecap",
  "stroke-linejoin",
  "stroke-miterlimit",
  "opacity",
  "paint-order",
  "font-family",
  "font-size",
  "font-style",
  "font-variant",
  "font-weight",
  "text-anchor",
  "dominant-baseline",
  "text-decoration",
  "letter-spacing",
  "visibility",
]);

/** Attribute names we write; others (namespaced, odd characters) are dropped. */
const ATTRIBUTE_NAME = /^[a-zA-Z][a-zA-Z0-9-]*$/;
/**
 * Attributes not copied as they are: hover hooks that mean nothing in a static picture, `style`
 * (converted to attributes), `id` (renamed).
 */
const DROPPED_ATTRIBUTES = new Set(["class", "style", "pointer-events", "cursor", "id"]);
const URL_REFERENCE = /url\(\s*#([^)\s]+)\s*\)/gi;

/**
 * Renders `option` at `frame`'s size and returns CSP-safe SVG markup.
 * `option` should set `animation: false`; this also turns CSS hover and animation off.
 * @throws Error when the installed ECharts no longer exposes its SVG element tree.
 */
export function renderOptionToSvg(option: EChartsOption, frame: SvgFrame): string {
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: frame.width,
    height: frame.height,
  });
  let tree: SvgNode;
  try {
    chart.setOption(option);
    const painter: unknown = chart.getZr().painter;
    if (!isSvgTreePainter(painter)) {
      throw new Error("echarts' SVG painter has no renderToVNode: the charts need updating");
    }
    tree = painter.renderToVNode({
      animation: false,
      emphasis: false,
      willUpdate: false,
      compress: true,
      useViewBox: true,
    });
  } finally {
    chart.dispose();
  }
  return serializeChartTree(tree, frame);
}

/**
 * Serialises zrender's tree as CSP-safe SVG: exported for tests, which feed it hostile trees.
 * The root gets `frame`'s size, accessible name and class; ids are renamed `<idPrefix>-<n>` and
 * references to ids that did not survive are dropped.
 */
export function serializeChartTree(root: SvgNode, frame: SvgFrame): string {
  const ids = new Map<string, string>();
  collectIds(root, frame.idPrefix, ids);
  const body = (root.children ?? []).map((c) => writeNode(c, ids)).filter((s) => s !== "");
  const rootAttrs: [string, string][] = [
    ["xmlns", "http://www.w3.org/2000/svg"],
    ["viewBox", `0 0 ${frame.width} ${frame.height}`],
    ...(frame.fluid ? [["width", "100%"]] as [string, string][] : [
      ["width", String(frame.width)],
      ["height", String(frame.height)],
    ] as [string, string][]),
    ["preserveAspectRatio", "xMidYMid meet"],
    ["role", "img"],
    ["aria-label", frame.title],
    ["class", frame.className],
  ];
  const head = [`<title>${escapeMarkup(frame.title)}</title>`];
  if (frame.description) head.push(`<desc>${escapeMarkup(frame.description)}</desc>`);
  return `<svg ${formatAttrs(rootAttrs)}>\n${[...head, ...body].join("\n")}\n</svg>`;
}

function collectIds(node: SvgNode, prefix: string, ids: Map<string, string>): void {
  if (!ALLOWED_ELEMENTS.has(node.tag)) return;
  const id = node.attrs.id;
  if (id != null && id !== false && !ids.has(String(id))) {
    ids.set(String(id), `${prefix}-${ids.size}`);
  }
  for (const c of node.children ?? []) collectIds(c, prefix, ids);
}

function writeNode(node: SvgNode, ids: Map<string, string>): string {
  if (!ALLOWED_ELEMENTS.has(node.tag) || node.tag === "svg") return "";
  const attrs = convertAttrs(node, ids);
  const text = node.text != null && node.text !== "" ? escapeMarkup(String(node.text)) : "";
  const children = (node.children ?? []).map((c) => writeNode(c, ids)).filter((s) => s !== "");
  const inner = children.length ? `\n${children.join("\n")}\n` : "";
  const open = attrs.length ? `<${node.tag} ${formatAttrs(attrs)}>` : `<${node.tag}>`;
  return `${open}${text}${inner}</${node.tag}>`;
}

function convertAttrs(node: SvgNode, ids: Map<string, string>): [string, string][] {
  const out = new Map<string, string>();
  for (const [name, raw] of Object.entries(node.attrs)) {
    if (raw == null || raw === false) continue;
    if (name === "xml:space") {
      // zrender marks text with runs of spaces; keep it so they are not collapsed.
      out.set(name, "preserve");
      continue;
    }
    const lower = name.toLowerCase();
    if (
      !ATTRIBUTE_NAME.test(name) || DROPPED_ATTRIBUTES.has(lower) || lower.startsWith("on") ||
      lower.startsWith("ecmeta_") || lower === "href" || lower.startsWith("xmlns")
    ) continue;
    const value = raw === true ? "" : String(raw);
    const linked = relinkUrls(value, ids);
    if (linked === null) continue;
    out.set(name, linked);
  }
  const id = node.attrs.id;
  if (id != null && id !== false && ids.has(String(id))) out.set("id", ids.get(String(id))!);
  const style = node.attrs.style;
  if (typeof style === "string") {
    for (const [prop, value] of styleToPresentation(style)) {
      if (!out.has(prop)) out.set(prop, value);
    }
  }
  return [...out];
}

/** Renames `url(#id)` references; null when one points at an id that is not in the output. */
function relinkUrls(value: string, ids: Map<string, string>): string | null {
  if (!/url\(/i.test(value)) return value;
  let dangling = false;
  const relinked = value.replace(URL_REFERENCE, (_m, id: string) => {
    const renamed = ids.get(id);
    if (renamed === undefined) {
      dangling = true;
      return "";
    }
    return `url(#${renamed})`;
  });
  // Anything else in url(…) could fetch from elsewhere; a picture needs neither.
  if (dangling || /url\(/i.test(relinked.replace(URL_REFERENCE, ""))) return null;
  return relinked;
}

/**
 * Turns a `style` value into presentation attributes: known properties only, the `font`
 * shorthand split into its parts, values that could reach out (`url(`) or break out dropped.
 */
export function styleToPresentation(style: string): [string, string][] {
  const out: [string, string][] = [];
  for (const declaration of style.split(";")) {
    const colon = declaration.indexOf(":");
    if (colon < 0) continue;
    const prop = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration.slice(colon + 1).trim();
    if (!value || /url\(|expression\(|[<>"\\]/i.test(value)) continue;
    if (prop === "font") out.push(...splitFontShorthand(value));
    else if (PRESENTATION_PROPERTIES.has(prop)) out.push([prop, value]);
  }
  return out;
}

const FONT_SIZE = /^(\d*\.?\d+(?:px|pt|em|rem|%))(?:\/\S+)?$/;
const FONT_STYLES = new Set(["italic", "oblique"]);
const FONT_WEIGHTS = /^(?:bold|bolder|lighter|[1-9]00)$/;

/** "italic bold 12px/1.2 sans-serif" → font-style, font-weight, font-size, font-family. */
function splitFontShorthand(font: string): [string, string][] {
  const words = font.split(/\s+/);
  const sizeAt = words.findIndex((w) => FONT_SIZE.test(w));
  if (sizeAt < 0 || sizeAt === words.length - 1) return [];
  const out: [string, string][] = [];
  for (const w of words.slice(0, sizeAt)) {
    if (FONT_STYLES.has(w)) out.push(["font-style", w]);
    else if (FONT_WEIGHTS.test(w)) out.push(["font-weight", w]);
  }
  out.push(["font-size", FONT_SIZE.exec(words[sizeAt])![1]]);
  out.push(["font-family", words.slice(sizeAt + 1).join(" ")]);
  return out;
}

function formatAttrs(attrs: [string, string][]): string {
  return attrs.map(([k, v]) => `${k}="${escapeMarkup(v)}"`).join(" ");
}

/** Escapes text for element content and quoted attributes; drops control characters. */
function escapeMarkup(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
