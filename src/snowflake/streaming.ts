/**
 * Builds a {@link StreamingClient} from liftline's configuration: which account, user and key, and
 * which control host (a real account's, or an emulator's base URL).
 *
 * @module
 */
import type { Config } from "../config/load.ts";
import { controlBaseUrl } from "./account.ts";
import { StreamingClient, type StreamingClientOptions } from "./streaming_client.ts";

/** Account the embedded emulator plays when no `SNOWFLAKE_ACCOUNT` is set. */
export const LOCAL_ACCOUNT = "LIFTLINE";

/** Options of {@link createStreamingClient}. */
export interface CreateStreamingClientOptions
  extends Partial<Omit<StreamingClientOptions, "privateKeyPem">> {
  /** PKCS#8 PEM private key (see `readPrivateKey` in config/load.ts). */
  privateKeyPem: string;
  /**
   * Control host base URL. Required for the local target (the emulator's URL); for a real account
   * it defaults to `SNOWFLAKE_HOST` or `https://<account>.snowflakecomputing.com`.
   */
  controlUrl?: URL | string;
}

/**
 * A client for `config`. Database and schema are upper-cased: they are unquoted identifiers, and
 * the REST paths must match the stored (upper-case) names.
 */
export function createStreamingClient(
  config: Config,
  opts: CreateStreamingClientOptions,
): Promise<StreamingClient> {
  const account = config.SNOWFLAKE_ACCOUNT ?? LOCAL_ACCOUNT;
  let controlUrl = opts.controlUrl ?? (config.target === "local" ? config.EMULATOR_URL : undefined);
  if (!controlUrl) {
    if (config.target === "local") {
      throw new Error(
        "the local target needs the emulator's URL (EMULATOR_URL or the embedded one)",
      );
    }
    controlUrl = controlBaseUrl(account, config.SNOWFLAKE_HOST);
  }
  return StreamingClient.create({
    ...opts,
    account: opts.account ?? account,
    user: opts.user ?? config.SNOWFLAKE_USER,
    role: opts.role ?? config.SNOWFLAKE_ROLE,
    database: opts.database ?? config.DATABASE_NAME.toUpperCase(),
    schema: opts.schema ?? config.SCHEMA_NAME.toUpperCase(),
    controlUrl,
    privateKeyPem: opts.privateKeyPem,
  });
}
