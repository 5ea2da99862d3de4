import assert from "node:assert/strict";
// A real XML parser rather than a hand-made one; already in the lock through snowflake-sdk.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import {
  CHART_SIZES,
  formatHour,
  formatShortDate,
  formatValue,
  type LineChartInput,
  renderBarChart,
  renderLineChart,
  renderSparkline,
  RESORT_METRICS,
  type SparklineInput,
} from "../../src/web/charts.ts";
import { serializeChartTree, styleToPresentation } from "../../src/web/charts/svg.ts";

const RESORTS = ["Vail", "Beaver Creek", "Breckenridge", "Keystone", "Heavenly"];
const HOSTILE = `<script>alert(1)</script>&"'`;
const DATES = ["2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02"];
const T0 = Date.UTC(2025, 0, 30, 12);

interface El {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: El[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  htmlEntities: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

/** Parses `svg` as XML (failing the test when it is not well formed) into a small tree. */
function parseSvg(svg: string): El {
  const valid = XMLValidator.validate(svg);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}`);
  const toEls = (nodes: Record<string, unknown>[]): El[] =>
    nodes.filter((n) => !("#text" in n)).map((n) => {
      const tag = Object.keys(n).find((k) => k !== ":@")!;
      const kids = n[tag] as Record<string, unknown>[];
      return {
        tag,
        attrs: (n[":@"] ?? {}) as Record<string, string>,
        text: kids.filter((k) => "#text" in k).map((k) => String(k["#text"])).join(""),
        children: toEls(kids),
      };
    });
  const roots = toEls(parser.parse(svg));
  assert.equal(roots.length, 1);
  assert.equal(roots[0].tag, "svg");
  return roots[0];
}

function* walk(el: El): Generator<El> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

function texts(root: El): string[] {
  return [...walk(root)].filter((e) => e.tag === "text").map((e) => e.text);
}

/** What a page with `style-src 'self'; script-src 'self'; img-src 'self' data:` must not get. */
function assertCspSafe(svg: string): void {
  assert.doesNotMatch(svg, /\sstyle\s*=/i);
  assert.doesNotMatch(svg, /<style/i);
  assert.doesNotMatch(svg, /<script/i);
  const root = parseSvg(svg);
  const ids = new Set([...walk(root)].map((e) => e.attrs.id).filter(Boolean));
  for (const el of walk(root)) {
    assert.ok(
      !["style", "script", "foreignObject", "image", "a", "use", "iframe"].includes(el.tag),
      `element <${el.tag}> in a chart`,
    );
    for (const [name, value] of Object.entries(el.attrs)) {
      assert.ok(!/^on/i.test(name), `event handler ${name}`);
      assert.ok(!["style", "href", "xlink:href"].includes(name), `attribute ${name}`);
      assert.ok(!name.startsWith("ecmeta_"), `echarts metadata ${name}`);
      if (name === "class") assert.equal(el, root, "class names only on the root");
      for (const m of value.matchAll(/url\(([^)]*)\)/g)) {
        assert.ok(m[1].startsWith("#") && ids.has(m[1].slice(1)), `reference ${m[0]}`);
      }
    }
  }
}

function trend(): LineChartInput {
  return {
    title: "Daily visitors per resort",
    x: { kind: "date", dates: DATES },
    y: { name: "visitors", unit: "count" },
    series: RESORTS.map((name, k) => ({
      name,
      values: DATES.map((_, i) => 1000 * (k + 1) + 150 * i),
    })),
  };
}

function hourly(): LineChartInput {
  const hours = [8, 9, 10, 11, 12];
  return {
    title: "Vail: visitors and capacity by local hour",
    x: { kind: "hour", hours },
    y: { name: "visitors", unit: "count" },
    y2: { name: "capacity", unit: "percent" },
    series: [
      { name: "visitors", values: [1200, 2500, 4100, null, null] },
      { name: "capacity", axis: "right", values: [17.1, 35.7, 58.6, null, null] },
    ],
  };
}

function sparkline(): SparklineInput {
  return {
    title: "Ingest lag p95 of LIFT_RIDE, last 15 minutes",
    unit: "seconds",
    points: Array.from({ length: 900 }, (_, i) => ({
      at: T0 + i * 1000,
      value: i >= 400 && i < 450 ? null : 0.4 + (i % 60) / 100,
    })),
    window: { from: T0, to: T0 + 900_000 },
  };
}

/** One of each chart kind and size, for the properties every chart has. */
function everyChart(): [string, string][] {
  const out: [string, string | null][] = [];
  for (const sizeName of ["wide", "narrow"] as const) {
    const size = CHART_SIZES[sizeName];
    for (const metric of Object.keys(RESORT_METRICS) as (keyof typeof RESORT_METRICS)[]) {
      const { label, axis } = RESORT_METRICS[metric];
      out.push([
        `bar ${metric} ${sizeName}`,
        renderBarChart({
          title: `${label} by resort`,
          axis,
          bars: RESORTS.map((r, i) => ({ label: r, value: 40.5 * (i + 1) * 1000 })),
        }, { size }),
      ]);
    }
    out.push([`trend ${sizeName}`, renderLineChart(trend(), { size })]);
    out.push([`hourly ${sizeName}`, renderLineChart(hourly(), { size })]);
  }
  out.push(["sparkline", renderSparkline(sparkline())]);
  return out.map(([name, svg]) => {
    assert.ok(svg !== null, `${name} rendered nothing`);
    return [name, svg];
  });
}

Deno.test("every chart is well-formed SVG without style attributes, style elements or scripts", () => {
  for (const [name, svg] of everyChart()) {
    try {
      assertCspSafe(svg);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
});

Deno.test("every chart has an accessible name, a viewBox and keeps its text styling as attributes", () => {
  for (const [name, svg] of everyChart()) {
    const root = parseSvg(svg);
    assert.equal(root.attrs.role, "img", name);
    assert.ok(root.attrs["aria-label"].length > 0, name);
    assert.equal(root.children[0].tag, "title", name);
    assert.equal(root.children[0].text, root.attrs["aria-label"], name);
    assert.match(root.attrs.viewBox, /^0 0 \d+ \d+$/, name);
    for (const t of [...walk(root)].filter((e) => e.tag === "text")) {
      assert.match(t.attrs["font-size"] ?? "", /^\d+px$/, `${name}: text "${t.text}"`);
      assert.ok(t.attrs["font-family"], `${name}: text "${t.text}"`);
    }
  }
});

Deno.test("bar chart: title, axis name with unit, resort names and abbreviated value labels", () => {
  const svg = renderBarChart({
    title: "Revenue by resort, last 7 days",
    axis: RESORT_METRICS.revenue.axis,
    bars: RESORTS.map((r, i) => ({
      label: r,
      value: [123_456, 1_234_567, 98_000, 45_500, 7_250][i],
    })),
  });
  assert.ok(svg);
  const root = parseSvg(svg);
  const shown = texts(root);
  assert.ok(shown.includes("Revenue by resort, last 7 days"));
  assert.ok(shown.includes("revenue (USD)"));
  for (const r of RESORTS) assert.ok(shown.includes(r), r);
  for (const v of ["$123.5k", "$1.2M", "$98k", "$45.5k", "$7.3k"]) assert.ok(shown.includes(v), v);
  assert.ok(shown.includes("$0"), "value axis starts at $0");
  // Scales with its container rather than forcing a width on a phone.
  assert.equal(root.attrs.width, "100%");
  assert.equal(root.attrs.height, undefined);
  assert.equal(root.attrs.viewBox, "0 0 640 320");
});

Deno.test("bar chart of capacity runs 0–100 % in quarters", () => {
  const svg = renderBarChart({
    title: "Average capacity by resort",
    axis: RESORT_METRICS.capacity.axis,
    bars: RESORTS.map((r, i) => ({ label: r, value: 10 + i * 12.25 })),
  });
  assert.ok(svg);
  const shown = texts(parseSvg(svg));
  for (const tick of ["0%", "25%", "50%", "75%", "100%"]) assert.ok(shown.includes(tick), tick);
  assert.ok(shown.includes("capacity (%)"));
  assert.ok(shown.includes("34.5%"), "bar label with one decimal");

  const over = renderBarChart({
    title: "Average capacity by resort",
    axis: RESORT_METRICS.capacity.axis,
    bars: [{ label: "Vail", value: 120 }],
  });
  assert.ok(over);
  const overTicks = texts(parseSvg(over)).filter((t) => /^\d+%$/.test(t));
  assert.deepEqual(overTicks.filter((t) => t !== "120%"), ["0%", "50%", "100%", "150%"]);
});

Deno.test("line chart: dates shortened, a legend of every series, axis names", () => {
  const svg = renderLineChart(trend());
  assert.ok(svg);
  const shown = texts(parseSvg(svg));
  assert.ok(shown.includes("Daily visitors per resort"));
  assert.ok(shown.includes("visitors"));
  assert.ok(shown.includes("date"));
  for (const r of RESORTS) assert.ok(shown.includes(r), `legend entry ${r}`);
  assert.ok(shown.includes("Jan 30") && shown.includes("Feb 2"), shown.join("|"));
  assert.ok(shown.some((t) => /^\d+(\.\d)?k$/.test(t)), "thousands abbreviated");
});

Deno.test("line chart: hourly visitors with capacity on a second y axis", () => {
  const svg = renderLineChart(hourly());
  assert.ok(svg);
  const shown = texts(parseSvg(svg));
  assert.ok(shown.includes("08:00"));
  assert.ok(shown.includes("local hour"));
  assert.ok(shown.includes("visitors"));
  assert.ok(shown.includes("capacity (%)"));
  assert.ok(shown.includes("100%") && shown.includes("0%"), "capacity axis spans 0–100 %");
  assert.ok(shown.includes("capacity") && shown.includes("visitors"), "legend");
});

Deno.test("line chart: a null leaves a gap in the line instead of dropping to zero", () => {
  const input = (values: (number | null)[]): LineChartInput => ({
    title: "Gap",
    x: { kind: "text", name: "step", labels: ["a", "b", "c", "d", "e"] },
    y: { name: "visitors", unit: "count" },
    series: [{ name: "only", values }],
  });
  const subpaths = (svg: string | null) => {
    assert.ok(svg);
    const line = [...walk(parseSvg(svg))].find((e) =>
      e.tag === "path" && e.attrs["stroke-width"] === "2" && e.attrs.fill === "none"
    );
    assert.ok(line, "series line");
    return line.attrs.d.match(/M/g)!.length;
  };
  assert.equal(subpaths(renderLineChart(input([1, 2, 0, 4, 5]))), 1);
  assert.equal(subpaths(renderLineChart(input([1, 2, null, 4, 5]))), 2);
  assert.equal(subpaths(renderLineChart(input([1, 2, NaN, 4, 5]))), 2);
});

Deno.test("sparkline: fixed small size, no visible text, a title and a summary", () => {
  const svg = renderSparkline(sparkline());
  assert.ok(svg);
  const root = parseSvg(svg);
  assert.equal(root.attrs.width, "240");
  assert.equal(root.attrs.height, "48");
  assert.equal(root.attrs["aria-label"], "Ingest lag p95 of LIFT_RIDE, last 15 minutes");
  assert.deepEqual(texts(root), []);
  const desc = root.children.find((c) => c.tag === "desc");
  assert.equal(desc?.text, "latest 990 ms, lowest 400 ms, highest 990 ms");
  const line = [...walk(root)].find((e) => e.tag === "path" && e.attrs.fill === "none");
  assert.ok(line);
  assert.equal(line.attrs.d.match(/M/g)!.length, 2, "the null stretch is a gap");
});

Deno.test("hostile names are escaped everywhere they reach the SVG", () => {
  const bar = renderBarChart({
    title: HOSTILE,
    axis: { name: HOSTILE, unit: "count" },
    bars: [{ label: HOSTILE, value: 5 }, { label: "Vail", value: 3 }],
  });
  const line = renderLineChart({
    title: HOSTILE,
    x: { kind: "text", name: HOSTILE, labels: [HOSTILE, "b"] },
    y: { name: HOSTILE, unit: "usd" },
    series: [{ name: HOSTILE, values: [1, 2] }, { name: "other", values: [2, 1] }],
  });
  const spark = renderSparkline({
    title: HOSTILE,
    unit: "count",
    points: [{ at: T0, value: 1 }, { at: T0 + 1000, value: 2 }],
  });
  for (const svg of [bar, line, spark]) {
    assert.ok(svg);
    assertCspSafe(svg);
    assert.ok(!svg.includes("<script"));
    const root = parseSvg(svg);
    // Parsed back, the text is the name itself: escaped once, not lost and not doubled.
    assert.equal(root.attrs["aria-label"], HOSTILE);
    assert.equal(root.children[0].text, HOSTILE);
  }
  const shown = [...texts(parseSvg(bar!)), ...texts(parseSvg(line!))];
  // Titles and category labels may be truncated to fit; every full occurrence is exact.
  assert.ok(shown.filter((t) => t === HOSTILE).length >= 3, shown.join("|"));
  assert.ok(shown.every((t) => !t.includes("&amp;") && !t.includes("&lt;")), "escaped twice");
});

Deno.test("serializer: drops scripts, styles, handlers and outside references from any tree", () => {
  const tree = {
    tag: "svg",
    attrs: { width: 100, height: 50 },
    children: [
      { tag: "style", attrs: {}, text: ".x:hover{fill:red}" },
      { tag: "script", attrs: {}, text: "alert(1)" },
      { tag: "foreignObject", attrs: {}, children: [{ tag: "text", attrs: {}, text: "inner" }] },
      { tag: "image", attrs: { href: "https://example.com/x.png" } },
      {
        tag: "text",
        attrs: {
          style: 'font: italic bold 13px/1.2 Arial, sans-serif;fill:url(https://e.com);x:"><b>',
          onclick: "alert(1)",
          class: "zr0-cls-1",
          ecmeta_series_index: "0",
          transform: 'translate(1 2)" onload="alert(1)',
          "xml:space": "preserve",
        },
        text: '</text><script>alert("x")</script>',
      },
      {
        tag: "path",
        attrs: {
          d: "M0 0L1 1",
          "clip-path": "url(#zr9-c0)",
          fill: "url(http://e)",
          stroke: "URL(//e)",
        },
      },
      {
        tag: "g",
        attrs: { "clip-path": "url(#zr9-c1)" },
        children: [{ tag: "rect", attrs: { width: 1, height: 1 } }],
      },
      {
        tag: "defs",
        attrs: {},
        children: [{ tag: "clipPath", attrs: { id: "zr9-c1" }, children: [] }],
      },
    ],
  };
  const svg = serializeChartTree(tree, {
    width: 100,
    height: 50,
    title: HOSTILE,
    idPrefix: "t",
    className: "chart",
    fluid: false,
  });
  assertCspSafe(svg);
  const root = parseSvg(svg);
  const els = [...walk(root)];
  assert.deepEqual(els.map((e) => e.tag), [
    "svg",
    "title",
    "text",
    "path",
    "g",
    "rect",
    "defs",
    "clipPath",
  ]);
  const text = els.find((e) => e.tag === "text")!;
  assert.equal(text.text, '</text><script>alert("x")</script>');
  assert.deepEqual(text.attrs, {
    transform: 'translate(1 2)" onload="alert(1)',
    "xml:space": "preserve",
    "font-style": "italic",
    "font-weight": "bold",
    "font-size": "13px",
    "font-family": "Arial, sans-serif",
  });
  // The dangling clip-path and the outside fill are dropped; the kept one is renamed.
  assert.deepEqual(els.find((e) => e.tag === "path")!.attrs, { d: "M0 0L1 1" });
  assert.equal(els.find((e) => e.tag === "g")!.attrs["clip-path"], "url(#t-0)");
  assert.equal(els.find((e) => e.tag === "clipPath")!.attrs.id, "t-0");
});

Deno.test("style declarations become presentation attributes; unknown or unsafe ones go", () => {
  assert.deepEqual(
    styleToPresentation("font-size:12px;font-family:sans-serif;font-weight:bold;"),
    [["font-size", "12px"], ["font-family", "sans-serif"], ["font-weight", "bold"]],
  );
  assert.deepEqual(styleToPresentation("font: 18px sans-serif"), [
    ["font-size", "18px"],
    ["font-family", "sans-serif"],
  ]);
  assert.deepEqual(
    styleToPresentation("cursor:pointer;fill:url(http://x);behavior:x;stroke:#333"),
    [["stroke", "#333"]],
  );
});

Deno.test("nothing to plot gives null, never a throw or an empty frame", () => {
  const axis = RESORT_METRICS.visitors.axis;
  assert.equal(renderBarChart({ title: "t", axis, bars: [] }), null);
  assert.equal(
    renderBarChart({ title: "t", axis, bars: RESORTS.map((label) => ({ label, value: null })) }),
    null,
  );
  assert.equal(
    renderBarChart({ title: "t", axis, bars: [{ label: "Vail", value: NaN }] }),
    null,
  );
  const y = { name: "visitors", unit: "count" } as const;
  assert.equal(
    renderLineChart({ title: "t", x: { kind: "date", dates: [] }, y, series: [] }),
    null,
  );
  assert.equal(
    renderLineChart({
      title: "t",
      x: { kind: "date", dates: [] },
      y,
      series: [{ name: "Vail", values: [] }],
    }),
    null,
  );
  assert.equal(
    renderLineChart({ title: "t", x: { kind: "date", dates: DATES }, y, series: [] }),
    null,
  );
  assert.equal(
    renderLineChart({
      title: "t",
      x: { kind: "date", dates: DATES },
      y,
      series: [{ name: "Vail", values: DATES.map(() => null) }],
    }),
    null,
  );
  assert.equal(renderSparkline({ title: "t", unit: "seconds", points: [] }), null);
  assert.equal(
    renderSparkline({ title: "t", unit: "seconds", points: [{ at: T0, value: null }] }),
    null,
  );
});

Deno.test("partial data still draws: one bar, one point, one sample", () => {
  const bar = renderBarChart({
    title: "Visitors by resort",
    axis: RESORT_METRICS.visitors.axis,
    bars: RESORTS.map((label, i) => ({ label, value: i === 2 ? 1234 : null })),
  });
  assert.ok(bar);
  assertCspSafe(bar);
  assert.ok(texts(parseSvg(bar)).includes("1.2k"));
  // A lone value on a long axis has no line to show it: it must get a dot (an arc path).
  const days = Array.from({ length: 31 }, (_, i) => `2025-01-${String(i + 1).padStart(2, "0")}`);
  const line = renderLineChart({
    title: "Daily visitors",
    x: { kind: "date", dates: days },
    y: { name: "visitors", unit: "count" },
    series: [{ name: "Vail", values: days.map((_, i) => i === 30 ? 10 : null) }],
  });
  assert.ok(line);
  assertCspSafe(line);
  assert.ok([...walk(parseSvg(line))].some((e) => e.tag === "path" && /A/.test(e.attrs.d)));
  const spark = renderSparkline({
    title: "Committed rows/s",
    unit: "perSecond",
    points: [{ at: T0, value: 0 }],
  });
  assert.ok(spark);
  assertCspSafe(spark);
});

Deno.test("the same input renders the same SVG; different charts get different ids", () => {
  assert.equal(renderLineChart(hourly()), renderLineChart(hourly()));
  assert.equal(renderSparkline(sparkline()), renderSparkline(sparkline()));
  const ids = (svg: string | null) =>
    [...walk(parseSvg(svg!))].map((e) => e.attrs.id).filter(Boolean);
  const a = ids(renderLineChart(hourly()));
  const b = ids(renderLineChart(trend()));
  assert.ok(a.length > 0 && b.length > 0);
  assert.equal(a.filter((id) => b.includes(id)).length, 0);
  const named = ids(renderLineChart(hourly(), { id: "hourly-vail" }));
  assert.ok(named.every((id) => id.startsWith("hourly-vail-")));
});

Deno.test("programming errors are reported clearly", () => {
  const y = { name: "visitors", unit: "count" } as const;
  assert.throws(
    () =>
      renderLineChart({
        title: "t",
        x: { kind: "date", dates: DATES },
        y,
        series: [{ name: "Vail", values: [1, 2] }],
      }),
    RangeError,
  );
  assert.throws(
    () =>
      renderLineChart({
        title: "t",
        x: { kind: "date", dates: DATES },
        y,
        series: [{ name: "Vail", axis: "right", values: DATES.map(() => 1) }],
      }),
    /no y2/,
  );
  assert.throws(() => renderLineChart(hourly(), { id: '"><script>' }), TypeError);
  assert.throws(() => renderLineChart(hourly(), { size: { width: 0, height: 10 } }), TypeError);
  assert.throws(() => renderSparkline({ ...sparkline(), title: " " }), TypeError);
});

Deno.test("labels: abbreviated numbers, money, percentages, durations, dates and hours", () => {
  assert.equal(formatValue("count", 950), "950");
  assert.equal(formatValue("count", 12_345), "12.3k");
  assert.equal(formatValue("count", 2_500_000), "2.5M");
  assert.equal(formatValue("usd", 1_234_567), "$1.2M");
  assert.equal(formatValue("usd", 45_500), "$45.5k");
  assert.equal(formatValue("percent", 87.46), "87.5%");
  assert.equal(formatValue("seconds", 0.25), "250 ms");
  assert.equal(formatValue("seconds", 2.5), "2.5 s");
  assert.equal(formatValue("perSecond", 1500), "1.5k/s");
  assert.equal(formatValue("count", null), "–");
  assert.equal(formatValue("count", Infinity), "–");
  assert.equal(formatShortDate("2025-01-05"), "Jan 5");
  assert.equal(formatShortDate("not a date"), "not a date");
  assert.equal(formatHour(8), "08:00");
  assert.equal(formatHour(23), "23:00");
});
