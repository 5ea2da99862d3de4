/**
 * Which channel a row is queued for: a hash of its TXID, modulo the channels per table.
 *
 * A hash, not the resort: it spreads rows evenly over any number of channels (five resorts of
 * unequal weight would leave channels idle past five and uneven below), and no report depends on
 * the order of rows across resorts. The row alone decides, so a seeded run queues each row for the
 * same channel every time. Where a row has no TXID first (only hand-made rows), the whole text is
 * hashed instead.
 *
 * @module
 */

/** How every row of the generator (and of the raw tables' shape) begins. */
const TXID_PREFIX = '{"TXID":"';

/** 32-bit FNV-1a of `text[start, end)` (UTF-16 code units). */
function fnv1a(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The channel (0 … `channels` − 1) that the row `json` is queued for. */
export function shardOf(json: string, channels: number): number {
  if (channels <= 1) return 0;
  let start = 0, end = json.length;
  if (json.startsWith(TXID_PREFIX)) {
    const close = json.indexOf('"', TXID_PREFIX.length);
    if (close > TXID_PREFIX.length) {
      start = TXID_PREFIX.length;
      end = close;
    }
  }
  return fnv1a(json, start, end) % channels;
}
