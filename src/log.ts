/**
 * A small structured logger: one line per event, as text or JSON (`--log-format json`), on stderr
 * so that stdout stays free for command output (setup SQL, keygen, bench JSON).
 *
 * @module
 */

/** Severity of a log line. */
export type Level = "debug" | "info" | "warn" | "error";

/** Extra fields of a log line. */
export type Fields = Record<string, unknown>;

/** Where log lines go. */
export interface Logger {
  /** Logs at `level`. */
  log(level: Level, message: string, fields?: Fields): void;
  /** Logs at info. */
  info(message: string, fields?: Fields): void;
  /** Logs at warn. */
  warn(message: string, fields?: Fields): void;
  /** Logs at error. */
  error(message: string, fields?: Fields): void;
  /** Logs at debug (only when `LIFTLINE_DEBUG` is set). */
  debug(message: string, fields?: Fields): void;
  /** A logger whose lines carry `component`. */
  child(component: string): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** `text` (default) or `json`. */
  format?: "text" | "json";
  /** Suppress info and debug lines (warnings and errors still print). */
  quiet?: boolean;
  /** Include debug lines. */
  debug?: boolean;
  /** Where lines are written; defaults to stderr. */
  write?: (line: string) => void;
  /** Component name shown on each line. */
  component?: string;
}

const encoder = new TextEncoder();
const stderrWrite = (line: string) => {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
};

function formatValue(v: unknown): string {
  if (typeof v === "string") return /\s|"|=/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v);
}

/** Creates a logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? stderrWrite;
  const format = options.format ?? "text";
  const log = (level: Level, message: string, fields: Fields = {}) => {
    if (options.quiet && (level === "info" || level === "debug")) return;
    if (level === "debug" && !options.debug) return;
    const time = new Date().toISOString();
    if (format === "json") {
      const rec: Fields = { time, level, msg: message };
      if (options.component) rec.component = options.component;
      for (const [k, v] of Object.entries(fields)) rec[k] = v instanceof Error ? v.message : v;
      write(JSON.stringify(rec));
      return;
    }
    const parts = [time, level.toUpperCase().padEnd(5)];
    if (options.component) parts.push(`[${options.component}]`);
    parts.push(message);
    for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${formatValue(v)}`);
    write(parts.join(" "));
  };
  return {
    log,
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    debug: (m, f) => log("debug", m, f),
    child: (component) =>
      createLogger({
        ...options,
        component: options.component ? `${options.component}.${component}` : component,
      }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger({ write: () => {} });
