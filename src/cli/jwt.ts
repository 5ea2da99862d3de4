/**
 * `liftline jwt`: a key-pair JWT for the configured user, for clients without a driver (curl and
 * Snowflake's SQL API, against the emulator or a real account).
 *
 * @module
 */
import { type Config, ConfigError, readPrivateKey } from "../config/load.ts";
import { KeyPairJwt } from "../snowflake/jwt.ts";
import { LOCAL_ACCOUNT } from "../snowflake/streaming.ts";

/** A JWT valid for an hour, signed with the configured private key. */
export async function keyPairToken(config: Config): Promise<string> {
  const privateKeyPem = await readPrivateKey(config);
  if (!privateKeyPem) {
    throw new ConfigError(
      "PRIVATE_KEY",
      "is not set and the data folder holds no rsa_key.p8 (run `liftline keygen`, or start the emulator once)",
    );
  }
  const jwt = await KeyPairJwt.create({
    account: config.SNOWFLAKE_ACCOUNT ?? LOCAL_ACCOUNT,
    user: config.SNOWFLAKE_USER,
    privateKeyPem,
  });
  return await jwt.token();
}
