/**
 * `deno task bench [group…]`: runs benchmark groups and prints one JSON object per line,
 * `{"name": …, "value": …, "unit": …}` (the names the README's Benchmarks table lists).
 *
 * Each group lives in `bench/<group>.ts` and exports a default function receiving `report`.
 */

/** One benchmark figure. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Optional context (sizes, settings), printed alongside. */
  note?: string;
}

/** A benchmark group: measures and reports figures. */
export type BenchGroup = (report: (result: BenchResult) => void) => Promise<void>;

const GROUPS = ["generator", "streamer", "reports", "web", "run"] as const;

if (import.meta.main) {
  const asked = Deno.args.length ? Deno.args : [...GROUPS];
  for (const name of asked) {
    if (!(GROUPS as readonly string[]).includes(name)) {
      console.error(`unknown bench group ${name}; groups: ${GROUPS.join(", ")}`);
      Deno.exit(2);
    }
  }
  for (const name of asked) {
    const mod = await import(`./${name}.ts`) as { default: BenchGroup };
    await mod.default((r) => console.log(JSON.stringify(r)));
  }
  const { disposeUntaken } = await import("./shared_history.ts");
  await disposeUntaken();
}
