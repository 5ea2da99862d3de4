/**
 * The generator's public surface: the role ({@link runGenerator}), the pure span function
 * ({@link generateRows}) and the model, for `main.ts`, tests and benches.
 *
 * @module
 */
export {
  DEFAULT_BATCH_ROWS,
  type GeneratorDeps,
  type GeneratorMetrics,
  type GeneratorStatusSink,
  runGenerator,
} from "./runner.ts";
export { seedOf, startOf } from "./settings.ts";
export { type GeneratorThreadDeps, runGeneratorThread } from "./thread.ts";
export {
  generateRows,
  RowBatch,
  Simulation,
  type SimulationOptions,
  type SpanOptions,
} from "./model.ts";
export { defaultStartTime, SPEED_FACTORS, WorldClock, type WorldClockOptions } from "./clock.ts";
export { FACTS, type Resort, resortByName, type ResortFacts, RESORTS } from "./resorts.ts";
export { dateSeed } from "./random.ts";
