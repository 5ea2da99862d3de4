import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { KeyPairJwt } from "../../src/snowflake/jwt.ts";
import { generateKeyPair } from "../../src/snowflake/keys.ts";

const pair = await generateKeyPair();

Deno.test("JWT claims: upper-case iss and sub with the key's fingerprint, RS256, valid signature", async () => {
  const jwt = await KeyPairJwt.create({
    account: "xy12345.us-east-1",
    user: "streaming_ingest",
    privateKeyPem: pair.privateKeyPem,
  });
  const token = await jwt.token();
  const header = decodeProtectedHeader(token);
  assert.equal(header.alg, "RS256");
  assert.equal(header.typ, "JWT");
  const key = await importSPKI(pair.publicKeyPem, "RS256");
  const { payload } = await jwtVerify(token, key);
  assert.equal(payload.sub, "XY12345.STREAMING_INGEST");
  assert.match(String(payload.iss), /^XY12345\.STREAMING_INGEST\.SHA256:[A-Za-z0-9+/]+=*$/);
  assert.equal(payload.iss, `XY12345.STREAMING_INGEST.${jwt.fingerprint}`);
  const iat = payload.iat!;
  assert.ok(Math.abs(iat - Date.now() / 1000) < 60);
  assert.equal(payload.exp! - iat, 59 * 60);
});

Deno.test("JWT fingerprint equals openssl's SHA-256 of the DER public key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pub = `${dir}/k.pub`;
    await Deno.writeTextFile(pub, pair.publicKeyPem);
    const der = await new Deno.Command("openssl", {
      args: ["rsa", "-pubin", "-in", pub, "-outform", "DER"],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(der.success);
    const digest = await new Deno.Command("openssl", {
      args: ["dgst", "-sha256", "-binary"],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = digest.stdin.getWriter();
    await w.write(der.stdout);
    await w.close();
    const out = await digest.output();
    const b64 = btoa(String.fromCharCode(...out.stdout));
    const jwt = await KeyPairJwt.create({
      account: "a",
      user: "u",
      privateKeyPem: pair.privateKeyPem,
    });
    assert.equal(jwt.fingerprint, `SHA256:${b64}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JWT is cached, renewed after the renewal age, and reissued after invalidate()", async () => {
  let now = 1_700_000_000_000;
  const jwt = await KeyPairJwt.create({
    account: "liftline",
    user: "u",
    privateKeyPem: pair.privateKeyPem,
    now: () => now,
  });
  const first = await jwt.token();
  now += 53 * 60_000;
  assert.equal(await jwt.token(), first, "still cached before 54 minutes");
  now += 2 * 60_000;
  const second = await jwt.token();
  assert.notEqual(second, first, "renewed after 54 minutes");
  assert.equal(decodeJwt(second).iat, Math.floor(now / 1000));
  now += 1000;
  jwt.invalidate();
  const third = await jwt.token();
  assert.notEqual(third, second);
  assert.equal(decodeJwt(third).sub, "LIFTLINE.U");
});

Deno.test("JWT creation fails clearly for an encrypted or non-PKCS#8 key", async () => {
  await assert.rejects(
    KeyPairJwt.create({
      account: "a",
      user: "u",
      privateKeyPem: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n",
    }),
    /PKCS#8/,
  );
});
