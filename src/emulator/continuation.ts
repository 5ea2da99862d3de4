/**
 * Continuation tokens: opaque to clients, they encode the channel (its row id, so that a token of a
 * dropped and recreated channel is not accepted), the client sequencer and the row sequencer.
 *
 * @module
 */

/** What a continuation token carries. */
export interface ContinuationToken {
  readonly channelId: number;
  readonly clientSequencer: number;
  readonly rowSequencer: number;
}

const PREFIX = "lc1";

/** Encodes a continuation token (base64url, no padding). */
export function encodeContinuationToken(t: ContinuationToken): string {
  return btoa(`${PREFIX}:${t.channelId}:${t.clientSequencer}:${t.rowSequencer}`)
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes a continuation token, or undefined when it is not one of ours. */
export function decodeContinuationToken(text: string): ContinuationToken | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  let plain: string;
  try {
    plain = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
  const m = /^lc1:(\d{1,15}):(\d{1,15}):(\d{1,15})$/.exec(plain);
  if (!m) return undefined;
  return { channelId: Number(m[1]), clientSequencer: Number(m[2]), rowSequencer: Number(m[3]) };
}
