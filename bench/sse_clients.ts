/**
 * Bench helper process for `live_fanout_100_p95_ms`: many dashboard viewers in one process,
 * apart from the server's so that reading a hundred streams does not share its event loop.
 *
 * Like a browser, it loads each page once and follows the page's own live URL (`hx-sse:connect`,
 * which carries the generation the page was rendered at), then opens `count` event streams spread
 * round-robin over those pages' topics.
 *
 * Usage: `deno run --allow-net bench/sse_clients.ts <base-url> <count> <page-path>…`
 *
 * Prints JSON lines on stdout: `{"ready": count, "topics": […]}` once every stream is open, then
 * for each event id, once every stream has its complete message, `{"id": "…", "at": […],
 * "bytes": n}` with each client's arrival time in ms since the epoch (high resolution, comparable
 * across processes on one machine). Closes every stream and exits when stdin closes.
 *
 * @module
 */

const [base, countArg, ...pages] = Deno.args;
const count = Number(countArg);
if (!base || !Number.isInteger(count) || count < 1 || pages.length === 0) {
  console.error("usage: sse_clients.ts <base-url> <count> <page-path>…");
  Deno.exit(2);
}

const now = () => performance.timeOrigin + performance.now();
const print = (o: unknown) => console.log(JSON.stringify(o));

/** The live URL a page subscribes to, as the SSE extension reads it from the markup. */
async function liveUrlOf(path: string): Promise<string> {
  const res = await fetch(new URL(path, base));
  const html = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  const m = html.match(/hx-sse:connect="([^"]+)"/);
  if (!m) throw new Error(`GET ${path}: no live URL in the page`);
  return m[1].replaceAll("&amp;", "&");
}

const topics = await Promise.all(pages.map(liveUrlOf));
const arrivals = new Map<string, { at: number[]; got: number; bytes: number }>();
const readers: ReadableStreamDefaultReader<string>[] = [];
let ready = 0;

function onMessage(client: number, message: string, at: number): void {
  if (message.startsWith("retry:")) {
    if (++ready === count) print({ ready, topics });
    return;
  }
  const id = message.match(/^id: (.*)$/m)?.[1];
  if (id === undefined) return; // heartbeats and id-less clock updates
  if (!message.includes('data: <hx-partial hx-target="#live"')) {
    console.error(`client ${client}: message ${id} is not a live fragment`);
    Deno.exit(1);
  }
  let a = arrivals.get(id);
  if (!a) arrivals.set(id, a = { at: new Array(count).fill(NaN), got: 0, bytes: 0 });
  a.at[client] = at;
  a.bytes = Math.max(a.bytes, message.length);
  if (++a.got === count) {
    print({ id, at: a.at, bytes: a.bytes });
    arrivals.delete(id);
  }
}

async function client(i: number): Promise<void> {
  const res = await fetch(new URL(topics[i % topics.length], base), {
    headers: { Accept: "text/event-stream" },
  });
  if (res.status !== 200 || !res.body) {
    throw new Error(`client ${i}: ${res.status} ${await res.text()}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  readers.push(reader);
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const at = now();
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      onMessage(i, buffer.slice(0, end), at);
      buffer = buffer.slice(end + 2);
    }
  }
}

let closing = false;
const clients = Array.from({ length: count }, (_, i) =>
  client(i).catch((e) => {
    if (!closing) {
      console.error((e as Error).message);
      Deno.exit(1);
    }
  }));

// The parent closes stdin when it is done measuring.
for await (const _ of Deno.stdin.readable) { /* nothing is sent; only the end matters */ }
closing = true;
await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
await Promise.all(clients);
