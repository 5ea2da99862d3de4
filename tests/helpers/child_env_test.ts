import assert from "node:assert/strict";
import { resolve } from "node:path";
import { childEnv } from "./child_env.ts";

const TOOLCHAIN = {
  DENO_DIR: "/cache/deno",
  HOME: "/home/ci",
  XDG_CACHE_HOME: "/home/ci/.cache",
  PATH: "/opt/deno/bin:/usr/bin",
  HTTP_PROXY: "http://proxy:3128",
  HTTPS_PROXY: "http://proxy:3128",
  NO_PROXY: "localhost,127.0.0.1",
  http_proxy: "http://proxy:3128",
  https_proxy: "http://proxy:3128",
  no_proxy: "localhost",
  DENO_CERT: "/etc/ci/ca.pem",
  SSL_CERT_FILE: "/etc/ssl/certs/ca-certificates.crt",
  SSL_CERT_DIR: "/etc/ssl/certs",
  NODE_EXTRA_CA_CERTS: "/etc/ci/extra.pem",
  DENO_AUTH_TOKENS: "secret@registry.example",
};

Deno.test("a child keeps the toolchain's environment and loses liftline's settings", () => {
  const env = childEnv({ SPEED: "MAX" }, {
    ...TOOLCHAIN,
    SNOWFLAKE_ACCOUNT: "real-account",
    PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----",
    DATA_DIR: "/home/ci/data",
    EMULATOR_URL: "http://elsewhere:1",
    LIFTLINE_DEBUG: "1",
    PORT: "8000",
  });
  for (const [name, value] of Object.entries(TOOLCHAIN)) assert.equal(env[name], value, name);
  for (const name of ["SNOWFLAKE_ACCOUNT", "PRIVATE_KEY", "DATA_DIR", "EMULATOR_URL", "PORT"]) {
    assert.equal(env[name], undefined, name);
  }
  assert.equal(env.LIFTLINE_DEBUG, undefined);
  // What the test asks for is set, and the child prints no colour codes or update notices.
  assert.equal(env.SPEED, "MAX");
  assert.equal(env.NO_COLOR, "1");
  assert.equal(env.DENO_NO_UPDATE_CHECK, "1");
});

Deno.test("a relative DENO_DIR still names the same folder in a child that runs elsewhere", () => {
  const env = childEnv({}, { DENO_DIR: ".cache/deno", XDG_CACHE_HOME: "/abs" });
  assert.equal(env.DENO_DIR, resolve(Deno.cwd(), ".cache/deno"));
  assert.equal(env.XDG_CACHE_HOME, "/abs");
});
