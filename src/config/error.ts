/**
 * The one error type for bad configuration or usage. `main.ts` prints its message on one line
 * and exits 2.
 */
export class ConfigError extends Error {
  /** The variable or flag at fault. */
  readonly variable: string;

  /** @param variable the variable or flag at fault; @param problem what is wrong with it. */
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}
