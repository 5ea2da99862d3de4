import assert from "node:assert/strict";
import {
  controlBaseUrl,
  isLoopbackHost,
  jwtAccount,
  parseHostnameBody,
} from "../../src/snowflake/account.ts";

Deno.test("jwtAccount drops region and cloud of a locator and upper-cases", () => {
  assert.equal(jwtAccount("xy12345"), "XY12345");
  assert.equal(jwtAccount("xy12345.us-east-1"), "XY12345");
  assert.equal(jwtAccount("xy12345.us-east-2.aws"), "XY12345");
  assert.equal(jwtAccount("xy12345.snowflakecomputing.com"), "XY12345");
});

Deno.test("jwtAccount keeps the org-account form whole", () => {
  assert.equal(jwtAccount("myorg-myaccount"), "MYORG-MYACCOUNT");
  assert.equal(jwtAccount("  myorg-my_account "), "MYORG-MY_ACCOUNT");
});

Deno.test("jwtAccount keeps the text before the first dash for .global identifiers", () => {
  assert.equal(jwtAccount("xy12345-abc.global"), "XY12345");
  assert.equal(jwtAccount("myorg-myaccount.global.snowflakecomputing.com"), "MYORG");
});

Deno.test("controlBaseUrl derives the account host or honours SNOWFLAKE_HOST", () => {
  assert.equal(
    controlBaseUrl("xy12345.us-east-1").href,
    "https://xy12345.us-east-1.snowflakecomputing.com/",
  );
  assert.equal(controlBaseUrl("MyOrg-Acct").href, "https://myorg-acct.snowflakecomputing.com/");
  assert.equal(
    controlBaseUrl("x", "acct.privatelink.snowflakecomputing.com").href,
    "https://acct.privatelink.snowflakecomputing.com/",
  );
  assert.equal(
    controlBaseUrl("x", "http://127.0.0.1:9999/some/path").href,
    "http://127.0.0.1:9999/",
  );
});

Deno.test("parseHostnameBody reads plain text, JSON strings and JSON objects", () => {
  assert.equal(
    parseHostnameBody("  my-acct.ingest.snowflakecomputing.com\n"),
    "my-acct.ingest.snowflakecomputing.com",
  );
  assert.equal(parseHostnameBody('"a.b.c"'), "a.b.c");
  assert.equal(parseHostnameBody('{"hostname": " 127.0.0.1:4567 "}'), "127.0.0.1:4567");
});

Deno.test("parseHostnameBody replaces underscores with hyphens", () => {
  assert.equal(
    parseHostnameBody("my_org-my_acct.us_west.ingest.snowflakecomputing.com"),
    "my-org-my-acct.us-west.ingest.snowflakecomputing.com",
  );
  assert.equal(parseHostnameBody('{"hostname":"a_b.example"}'), "a-b.example");
});

Deno.test("parseHostnameBody rejects bodies without a host", () => {
  assert.throws(() => parseHostnameBody(""), /no usable host/);
  assert.throws(() => parseHostnameBody("{}"), /no hostname/);
  assert.throws(() => parseHostnameBody("{not json"), /not valid JSON/);
  assert.throws(() => parseHostnameBody("<html> error page </html>"), /no usable host/);
});

Deno.test("isLoopbackHost recognises loopback names only", () => {
  for (const h of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1", "app.localhost"]) {
    assert.equal(isLoopbackHost(h), true, h);
  }
  for (const h of ["10.0.0.1", "example.com", "my-acct.snowflakecomputing.com", "128.0.0.1"]) {
    assert.equal(isLoopbackHost(h), false, h);
  }
});
