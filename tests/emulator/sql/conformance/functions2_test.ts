/**
 * More function semantics: the optional arguments of the regular expression functions, FLOAT
 * text, ADD_MONTHS and MONTHS_BETWEEN at month ends, TIME_SLICE of dates, EDITDISTANCE's
 * maximum, RATIO_TO_REPORT's type, seeded RANDOM, CONTAINS of NULL, the semi-structured
 * predicates and accessors, and functions typical Snowflake SQL uses that were missing. Values
 * are the doc pages' where they print them; otherwise they are computed from the page's rules
 * (and say so).
 */
import assert from "node:assert/strict";
import { conformance, expectRows } from "./harness.ts";

/** A digest of a text, in hex, by the platform (to check the emulator's against). */
async function digestHex(algorithm: "SHA-1" | "SHA-256", text: string): Promise<string> {
  const d = await crypto.subtle.digest(algorithm, new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const TIMES = "'It was the best of times, it was the worst of times'";

// https://docs.snowflake.com/en/sql-reference/functions/regexp_substr
// https://docs.snowflake.com/en/sql-reference/functions/regexp_substr_all
// https://docs.snowflake.com/en/sql-reference/functions/regexp_replace
// https://docs.snowflake.com/en/sql-reference/functions/regexp_count
// https://docs.snowflake.com/en/sql-reference/functions/regexp_like
// https://docs.snowflake.com/en/sql-reference/functions-regexp (the parameters c, i, m, e, s)
conformance("REGEXP_*: position, occurrence, parameters and groups", async ({ db }, t) => {
  await t.step("REGEXP_SUBSTR occurrence 2 is 'the worst'", async () => {
    await expectRows(db, String.raw`SELECT REGEXP_SUBSTR(${TIMES}, 'the\\W+\\w+', 1, 2);`, {
      rows: [["the worst"]],
    });
  });

  await t.step("REGEXP_SUBSTR with 'e' extracts group 1; group_num picks a group", async () => {
    await expectRows(
      db,
      String.raw`SELECT REGEXP_SUBSTR(${TIMES}, 'the\\W+(\\w+)', 1, 1, 'e'),
                        REGEXP_SUBSTR(${TIMES}, 'the\\W+(\\w+)', 1, 2, 'e', 1),
                        REGEXP_SUBSTR(${TIMES}, 'the\\W+(\\w+)', 1, 1, 'c', 1),
                        REGEXP_SUBSTR(${TIMES}, 'the\\W+(\\w+)', 1, 3);`,
      { rows: [["best", "worst", "best", null]] },
    );
  });

  await t.step(
    "REGEXP_SUBSTR 'i' matches case-insensitively; position skips characters",
    async () => {
      await expectRows(
        db,
        "SELECT REGEXP_SUBSTR('ABC', 'b', 1, 1, 'i'), REGEXP_SUBSTR('abcabc', 'a.', 2);",
        { rows: [["B", "ab"]] },
      );
    },
  );

  await t.step("REGEXP_SUBSTR_ALL: position, occurrence and 'i' (the docs' rows)", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_TO_STRING(REGEXP_SUBSTR_ALL(s, 'a[[:digit:]]'), ','),
              ARRAY_TO_STRING(REGEXP_SUBSTR_ALL(s, 'a[[:digit:]]', 2), ','),
              ARRAY_TO_STRING(REGEXP_SUBSTR_ALL(s, 'a[[:digit:]]', 1, 3), ','),
              ARRAY_TO_STRING(REGEXP_SUBSTR_ALL(s, 'a[[:digit:]]', 1, 1, 'i'), ',')
         FROM VALUES ('a1_a2a3_a4A5a6') AS t(s);`,
      { rows: [["a1,a2,a3,a4,a6", "a2,a3,a4,a6", "a3,a4,a6", "a1,a2,a3,a4,A5,a6"]] },
    );
  });

  await t.step("REGEXP_REPLACE: occurrence 2 only, 0 for all, 'i', position", async () => {
    await expectRows(
      db,
      `SELECT REGEXP_REPLACE('abcabc', 'b', 'X', 1, 2), REGEXP_REPLACE('abcabc', 'b', 'X', 1, 0),
              REGEXP_REPLACE('ABC', 'b', 'x', 1, 0, 'i'), REGEXP_REPLACE('abcabc', 'b', 'X', 3),
              REGEXP_REPLACE('abcabc', 'b', 'X', 1, 3);`,
      { rows: [["abcaXc", "aXcaXc", "AxC", "abcaXc", "abcabc"]] },
    );
  });

  await t.step("REGEXP_REPLACE back-references: 'lastname, firstname middlename'", async () => {
    await expectRows(
      db,
      String
        .raw`SELECT REGEXP_REPLACE('firstname middlename lastname', '(.*) (.*) (.*)', '\\3, \\1 \\2');`,
      { rows: [["lastname, firstname middlename"]] },
    );
  });

  await t.step("REGEXP_COUNT: 'i' counts both cases; position starts later", async () => {
    await expectRows(
      db,
      String.raw`SELECT REGEXP_COUNT('ABCabc', 'a', 1, 'i'), REGEXP_COUNT('ABCabc', 'a', 2, 'i'),
                        REGEXP_COUNT(${TIMES}, '\\bwas\\b', 1);`,
      { rows: [["2", "1", "2"]] },
    );
  });

  await t.step("REGEXP_LIKE / RLIKE: the whole string, 'i' and 's'", async () => {
    await expectRows(
      db,
      `SELECT REGEXP_LIKE('San Francisco', 'san.*', 'i'), RLIKE('San Francisco', 'san.*'),
              REGEXP_LIKE('San Francisco', 'Fran'), REGEXP_LIKE('a' || CHR(10) || 'b', 'a.b'),
              REGEXP_LIKE('a' || CHR(10) || 'b', 'a.b', 's');`,
      { rows: [["True", "False", "False", "False", "True"]] },
    );
  });

  await t.step("REGEXP_INSTR with 'i'", async () => {
    // Computed from the page's rules: the second 'a' of 'ABCabc', any case, is at 4.
    await expectRows(db, "SELECT REGEXP_INSTR('ABCabc', 'a', 1, 2, 0, 'i');", { rows: [["4"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/to_char
// https://docs.snowflake.com/en/sql-reference/data-types-numeric (FLOAT)
conformance("FLOAT as text: no trailing .0, at most 15 significant digits", async ({ db }, t) => {
  await t.step("3::FLOAT::VARCHAR is '3'; 1.5 stays '1.5'", async () => {
    await expectRows(
      db,
      "SELECT 3::FLOAT::VARCHAR, TO_VARCHAR(1.5::FLOAT), CONCAT('v', 3::FLOAT), TO_CHAR(-2::FLOAT);",
      { rows: [["3", "1.5", "v3", "-2"]] },
    );
  });

  await t.step("0.1 + 0.2 is '0.3'; 1e20 is '1e+20'", async () => {
    // Computed: 15 significant digits, an exponent past them (as the docs print FLOATs).
    await expectRows(
      db,
      "SELECT (0.1::FLOAT + 0.2::FLOAT)::VARCHAR, 1e20::FLOAT::VARCHAR, 1e-7::FLOAT::VARCHAR;",
      { rows: [["0.3", "1e+20", "1e-07"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/add_months
// https://docs.snowflake.com/en/sql-reference/functions/months_between
conformance("ADD_MONTHS and MONTHS_BETWEEN at the ends of months", async ({ db }, t) => {
  await t.step(
    "the last day of a month moves to the last day: 2016-02-29 + 1 is 2016-03-31",
    async () => {
      await expectRows(
        db,
        `SELECT ADD_MONTHS('2016-02-29'::DATE, 1), ADD_MONTHS('2016-01-31'::DATE, 1),
              ADD_MONTHS('2016-02-28'::DATE, 1), ADD_MONTHS('2016-05-15'::DATE, -2);`,
        { rows: [["2016-03-31", "2016-02-29", "2016-03-28", "2016-03-15"]] },
      );
    },
  );

  await t.step("a timestamp keeps its time: 2016-02-29 10:00 + 1 is 2016-03-31 10:00", async () => {
    await expectRows(
      db,
      "SELECT TO_VARCHAR(ADD_MONTHS('2016-02-29 10:00:00'::TIMESTAMP_NTZ, 1), 'YYYY-MM-DD HH24:MI');",
      { rows: [["2016-03-31 10:00"]] },
    );
  });

  await t.step("MONTHS_BETWEEN: the same day or both last days is whole", async () => {
    const r = await expectRows(
      db,
      `SELECT MONTHS_BETWEEN('2019-03-15'::DATE, '2019-02-15'::DATE),
              MONTHS_BETWEEN('2019-03-31'::DATE, '2019-02-28'::DATE);`,
      { rows: [["1.000000", "1.000000"]] },
    );
    assert.equal(r.columns[0].scale, 6);
  });

  // "the fractional portion is calculated using the day and time parts … If you use one or more
  // TIMESTAMP values but do not want fractional differences based on time of day, then cast your
  // TIMESTAMP expressions to DATE": (1 - 14 + 1/24) / 31 from one.
  await t.step(
    "MONTHS_BETWEEN: days and the time of day count a 31-day month (0.549731)",
    async () => {
      await expectRows(
        db,
        `SELECT MONTHS_BETWEEN('2019-03-01 02:00:00'::TIMESTAMP, '2019-02-15 01:00:00'::TIMESTAMP),
              MONTHS_BETWEEN('2019-02-15 01:00:00'::TIMESTAMP, '2019-03-01 02:00:00'::TIMESTAMP),
              MONTHS_BETWEEN('2019-03-01 02:00:00'::TIMESTAMP::DATE, '2019-02-15'::DATE);`,
        { rows: [["0.549731", "-0.549731", "0.548387"]] },
      );
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/functions/time_slice
conformance("TIME_SLICE of a DATE is a DATE", async ({ db }, t) => {
  await t.step("4-month slices of 2019-02-28: 2019-01-01 to 2019-05-01", async () => {
    const r = await expectRows(
      db,
      `SELECT TIME_SLICE('2019-02-28'::DATE, 4, 'MONTH', 'START'),
              TIME_SLICE('2019-02-28'::DATE, 4, 'MONTH', 'END');`,
      { rows: [["2019-01-01", "2019-05-01"]] },
    );
    assert.deepEqual(r.columns.map((c) => c.type), ["date", "date"]);
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/editdistance
conformance("EDITDISTANCE with max_distance", async ({ db }, t) => {
  await t.step("the distance stops at the maximum; a negative maximum gives 0", async () => {
    await expectRows(
      db,
      "SELECT EDITDISTANCE('abc', 'xyz'), EDITDISTANCE('abc', 'xyz', 2), EDITDISTANCE('abc', 'xyz', -1), EDITDISTANCE('abc', 'xyz', 5);",
      { rows: [["3", "2", "0", "3"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/ratio_to_report
conformance("RATIO_TO_REPORT of a NUMBER is a NUMBER", async ({ db }, t) => {
  await t.step("100 * RATIO_TO_REPORT(profit) OVER () is 30.00000000, 25…, 45…, NULL", async () => {
    const r = await expectRows(
      db,
      `SELECT store_id, 100 * RATIO_TO_REPORT(profit) OVER () AS percent_profit
         FROM (SELECT column1 AS store_id, column2::NUMBER(11,2) AS profit
                 FROM VALUES (1, 300), (2, 250), (3, 450), (4, NULL))
        ORDER BY store_id;`,
      {
        rows: [["1", "30.00000000"], ["2", "25.00000000"], ["3", "45.00000000"], ["4", null]],
      },
    );
    assert.equal(r.columns[1].type, "fixed");
  });

  await t.step("a partition whose sum is 0 gives NULL", async () => {
    await expectRows(
      db,
      "SELECT RATIO_TO_REPORT(x) OVER () FROM VALUES (1), (-1) AS t(x);",
      { rows: [[null], [null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/random
// https://docs.snowflake.com/en/sql-reference/functions/uniform
conformance("RANDOM(seed) and UNIFORM with a constant gen", async ({ db }, t) => {
  await t.step("the same seed twice on a row gives the same value", async () => {
    await expectRows(db, "SELECT RANDOM(42) = RANDOM(42);", { rows: [["True"]] });
    await expectRows(
      db,
      `SELECT COUNT_IF(a = b), COUNT(DISTINCT a)
         FROM (SELECT RANDOM(4711) AS a, RANDOM(4711) AS b FROM TABLE(GENERATOR(ROWCOUNT => 3)));`,
      { rows: [["3", "3"]] },
    );
  });

  await t.step(
    "UNIFORM with a constant gen is constant; with RANDOM() it spans min..max",
    async () => {
      await expectRows(
        db,
        `SELECT COUNT(DISTINCT UNIFORM(1, 10, 1234)), MIN(UNIFORM(1, 10, RANDOM())),
              MAX(UNIFORM(1, 10, RANDOM()))
         FROM TABLE(GENERATOR(ROWCOUNT => 1000));`,
        { rows: [["1", "1", "10"]] },
      );
    },
  );
});

// https://docs.snowflake.com/en/sql-reference/functions/contains
conformance("CONTAINS, STARTSWITH and ENDSWITH of NULL are NULL", async ({ db }, t) => {
  await t.step("CONTAINS('abc', NULL) is NULL", async () => {
    await expectRows(
      db,
      "SELECT CONTAINS('abc', NULL), CONTAINS(NULL, 'a'), STARTSWITH('abc', NULL), ENDSWITH(NULL, 'c');",
      { rows: [[null, null, null, null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/uuid_string
conformance("UUID_STRING(namespace, name) is the version 5 UUID", async ({ db }, t) => {
  await t.step("the docs' namespace and 'foo'", async () => {
    await expectRows(
      db,
      "SELECT UUID_STRING('fe971b24-9572-4005-b22f-351e9c09274d', 'foo'), LENGTH(UUID_STRING());",
      { rows: [["dc0b6f65-fca6-5b4b-9d37-ccc3fde1f3e2", "36"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/soundex
// https://docs.snowflake.com/en/sql-reference/functions/jarowinkler_similarity
// https://docs.snowflake.com/en/sql-reference/functions/unicode
// https://docs.snowflake.com/en/sql-reference/functions/hex_decode_string
// https://docs.snowflake.com/en/sql-reference/functions/insert
conformance(
  "SOUNDEX, JAROWINKLER_SIMILARITY, UNICODE, HEX_DECODE_STRING, INSERT",
  async ({ db }, t) => {
    await t.step("SOUNDEX codes letters; H and W do not separate, vowels do", async () => {
      // Computed from the page's algorithm (American Soundex).
      await expectRows(
        db,
        `SELECT SOUNDEX('Washington'), SOUNDEX('Lee'), SOUNDEX('Pfister'), SOUNDEX('Tymczak'),
              SOUNDEX('Ashcraft'), SOUNDEX('Robert') = SOUNDEX('Rupert');`,
        { rows: [["W252", "L000", "P236", "T522", "A261", "True"]] },
      );
    });

    await t.step("JAROWINKLER_SIMILARITY: the docs' rows, 0 to 100", async () => {
      await expectRows(
        db,
        `SELECT JAROWINKLER_SIMILARITY(s, t) FROM VALUES
         ('', ''), ('Gute nacht', 'Ich weis nicht'), ('Snowflake', 'Oracle'), ('test', 'TEST')
         AS v(s, t);`,
        { rows: [["0"], ["56"], ["61"], ["100"]] },
      );
    });

    await t.step("UNICODE('a') is 97; HEX_DECODE_STRING gives 'Snowflake'", async () => {
      await expectRows(
        db,
        "SELECT UNICODE('a'), UNICODE('€'), UNICODE(''), HEX_DECODE_STRING('536E6F77666C616B65');",
        { rows: [["97", "8364", "0", "Snowflake"]] },
      );
    });

    await t.step("INSERT replaces len characters at pos", async () => {
      await expectRows(db, "SELECT INSERT('abc', 1, 2, 'Z'), INSERT('abcdef', 3, 2, 'zzz');", {
        rows: [["Zc", "abzzzef"]],
      });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/arrays_overlap
// https://docs.snowflake.com/en/sql-reference/functions/array_insert
// https://docs.snowflake.com/en/sql-reference/functions/array_construct_compact
// https://docs.snowflake.com/en/sql-reference/functions/array_flatten
// https://docs.snowflake.com/en/sql-reference/functions/object_pick
// https://docs.snowflake.com/en/sql-reference/functions/strip_null_value
// https://docs.snowflake.com/en/sql-reference/functions/check_json
conformance("Array and object functions that were missing", async ({ db }, t) => {
  await t.step("ARRAYS_OVERLAP: a common element, or none", async () => {
    await expectRows(
      db,
      `SELECT ARRAYS_OVERLAP(ARRAY_CONSTRUCT('hello', 'aloha'), ARRAY_CONSTRUCT('hello', 'hi', 'hey')),
              ARRAYS_OVERLAP(ARRAY_CONSTRUCT('hello', 'aloha'), ARRAY_CONSTRUCT('hola', 'bonjour'));`,
      { rows: [["True", "False"]] },
    );
  });

  await t.step("ARRAY_INSERT at 2, from the end, and past the end", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_INSERT(ARRAY_CONSTRUCT(0, 1, 2, 3), 2, 'hello'),
              ARRAY_INSERT(ARRAY_CONSTRUCT(0, 1, 2, 3), -1, 'hello');`,
      { rows: [['[0,1,"hello",2,3]', '[0,1,2,"hello",3]']] },
    );
  });

  await t.step("ARRAY_CONSTRUCT_COMPACT leaves NULLs out; ARRAY_FLATTEN one level", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_CONSTRUCT_COMPACT(NULL, 'hello', 3, 4, 5),
              ARRAY_FLATTEN([[1, 2, 3], [4], [5, 6]]), ARRAY_FLATTEN([[[1, 2], [3]], [[4], [5]]]);`,
      { rows: [['["hello",3,4,5]', "[1,2,3,4,5,6]", "[[1,2],[3],[4],[5]]"]] },
    );
  });

  await t.step("OBJECT_PICK by keys or by an array of keys", async () => {
    await expectRows(
      db,
      `SELECT OBJECT_PICK(OBJECT_CONSTRUCT('a', 1, 'b', 2, 'c', 3), 'a', 'b'),
              OBJECT_PICK(OBJECT_CONSTRUCT('a', 1, 'b', 2, 'c', 3), ARRAY_CONSTRUCT('a', 'c'));`,
      { rows: [['{"a":1,"b":2}', '{"a":1,"c":3}']] },
    );
  });

  await t.step("STRIP_NULL_VALUE and CHECK_JSON", async () => {
    await expectRows(
      db,
      `SELECT STRIP_NULL_VALUE(PARSE_JSON('null')) IS NULL, CHECK_JSON('{"a": 1}'),
              CHECK_JSON('{"a": ') IS NOT NULL, CHECK_JSON(NULL);`,
      { rows: [["True", null, "True", null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/is_array (and the other IS_ functions)
// https://docs.snowflake.com/en/sql-reference/functions/as_varchar (and the other AS_ functions)
conformance("IS_<type> and AS_<type> of VARIANTs", async ({ db }, t) => {
  await t.step("IS_ functions by the value's type; IS_DECIMAL takes integers", async () => {
    await expectRows(
      db,
      `SELECT IS_ARRAY(PARSE_JSON('[1]')), IS_OBJECT(PARSE_JSON('[1]')), IS_INTEGER(PARSE_JSON('1')),
              IS_DECIMAL(PARSE_JSON('1.5')), IS_DECIMAL(PARSE_JSON('1')), IS_DOUBLE(PARSE_JSON('1.5')),
              IS_VARCHAR(PARSE_JSON('"a"')), IS_BOOLEAN(PARSE_JSON('true')), IS_VARCHAR(PARSE_JSON('1'));`,
      { rows: [["True", "False", "True", "True", "True", "True", "True", "True", "False"]] },
    );
  });

  await t.step("AS_ functions: the value of that type, else NULL", async () => {
    await expectRows(
      db,
      `SELECT AS_VARCHAR(PARSE_JSON('"abc"')), AS_VARCHAR(PARSE_JSON('1')),
              AS_NUMBER(PARSE_JSON('1.5'), 10, 2), AS_INTEGER(PARSE_JSON('7')),
              AS_BOOLEAN(PARSE_JSON('true')), AS_ARRAY(PARSE_JSON('[1]')), AS_OBJECT(PARSE_JSON('[1]'));`,
      { rows: [["abc", null, "1.50", "7", "True", "[1]", null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/boolxor_agg
// https://docs.snowflake.com/en/sql-reference/functions/bitand_agg
// https://docs.snowflake.com/en/sql-reference/functions/regr_slope
// https://docs.snowflake.com/en/sql-reference/functions/grouping_id
// https://docs.snowflake.com/en/sql-reference/functions/conditional_true_event
// https://docs.snowflake.com/en/sql-reference/functions/current_transaction
conformance("Aggregates and window functions that were missing", async ({ db }, t) => {
  await t.step("BOOLXOR_AGG and the BIT*_AGG aggregates", async () => {
    // Computed: exactly one TRUE; 5 & 3 & 1 = 1, 5 | 3 | 1 = 7, 5 ^ 3 ^ 1 = 7.
    await expectRows(
      db,
      `SELECT BOOLXOR_AGG(x), BITAND_AGG(n), BITOR_AGG(n), BITXOR_AGG(n)
         FROM VALUES (TRUE, 5), (FALSE, 3), (NULL, 1) AS t(x, n);`,
      { rows: [["True", "1", "7", "7"]] },
    );
  });

  await t.step("REGR_SLOPE, REGR_INTERCEPT, REGR_COUNT of y = 2x", async () => {
    await expectRows(
      db,
      `SELECT REGR_SLOPE(y, x), REGR_INTERCEPT(y, x), REGR_COUNT(y, x), REGR_AVGX(y, x), REGR_AVGY(y, x)
         FROM VALUES (1, 2), (3, 6), (5, 10) AS t(x, y);`,
      { rows: [["2", "0", "3", "3", "6"]] },
    );
  });

  await t.step("GROUPING_ID is GROUPING of several columns", async () => {
    await expectRows(
      db,
      `SELECT GROUPING_ID(a, b), SUM(n) FROM VALUES (1, 1, 10), (1, 2, 20) AS t(a, b, n)
        GROUP BY ROLLUP (a, b) ORDER BY 1, 2;`,
      { rows: [["0", "10"], ["0", "20"], ["1", "30"], ["3", "30"]] },
    );
  });

  await t.step(
    "CONDITIONAL_TRUE_EVENT counts the rows so far whose condition is TRUE",
    async () => {
      await expectRows(
        db,
        `SELECT n, CONDITIONAL_TRUE_EVENT(n > 2) OVER (ORDER BY n)
         FROM VALUES (1), (3), (2), (5), (4) AS t(n) ORDER BY n;`,
        { rows: [["1", "0"], ["2", "0"], ["3", "1"], ["4", "2"], ["5", "3"]] },
      );
    },
  );

  // https://docs.snowflake.com/en/sql-reference/functions/array_agg (as a window function)
  await t.step("ARRAY_AGG over a window: each partition's array, NULLs left out", async () => {
    await expectRows(
      db,
      `SELECT g, ARRAY_AGG(x) OVER (PARTITION BY g)
         FROM VALUES ('a', 1), ('a', 2), ('b', 10), ('b', NULL) AS t(g, x) ORDER BY g, x;`,
      {
        rows: [
          ["a", "[1,2]"],
          ["a", "[1,2]"],
          ["b", "[10]"],
          ["b", "[10]"],
        ],
      },
    );
  });

  // https://docs.snowflake.com/en/sql-reference/functions/sha1
  await t.step("SHA1 and SHA2; a digest size SHA2 cannot give is refused", async () => {
    await expectRows(db, "SELECT SHA1('Snowflake'), SHA2('Snowflake', 256);", {
      rows: [[await digestHex("SHA-1", "Snowflake"), await digestHex("SHA-256", "Snowflake")]],
    });
    await db.expectError("SELECT SHA2('Snowflake', 512);", { code: "000002" });
  });

  // https://docs.snowflake.com/en/sql-reference/operators-subquery (a scalar subquery must
  // return one row)
  await t.step("a scalar subquery of several rows: 090150", async () => {
    await db.expectError("SELECT (SELECT column1 FROM VALUES (1), (2));", {
      code: "090150",
      message: "Single-row subquery returns more than one row.",
    });
  });

  await t.step("CURRENT_TRANSACTION is NULL outside a transaction", async () => {
    await expectRows(db, "SELECT CURRENT_TRANSACTION();", { rows: [[null]] });
  });

  await t.step("CURRENT_TRANSACTION is the open transaction's id inside one", async () => {
    await db.run("BEGIN;");
    const inside = (await db.run("SELECT CURRENT_TRANSACTION();")).rows[0][0];
    await db.run("COMMIT;");
    assert.match(String(inside), /^\d{16,}$/);
    await expectRows(db, "SELECT CURRENT_TRANSACTION();", { rows: [[null]] });
  });

  // https://docs.snowflake.com/en/sql-reference/functions/conditional_change_event: it is
  // CONDITIONAL_TRUE_EVENT(x != LAG(x) OVER w) OVER w, so a change to or from NULL is no event.
  await t.step("CONDITIONAL_CHANGE_EVENT counts changes so far, per partition", async () => {
    await expectRows(
      db,
      `SELECT i, CONDITIONAL_CHANGE_EVENT(v) OVER (ORDER BY i),
              CONDITIONAL_CHANGE_EVENT(v) OVER (PARTITION BY g ORDER BY i)
         FROM VALUES (1, 'a', 0), (2, 'a', 0), (3, 'b', 220), (4, 'a', NULL), (5, 'a', 220),
                     (6, 'b', 0), (7, 'a', 0)
           AS t(i, g, v) ORDER BY i;`,
      {
        rows: [
          ["1", "0", "0"],
          ["2", "0", "0"],
          ["3", "1", "0"],
          ["4", "1", "0"],
          ["5", "1", "0"],
          ["6", "2", "1"],
          ["7", "2", "1"],
        ],
      },
    );
  });

  // https://docs.snowflake.com/en/sql-reference/functions-window-syntax (range-based window
  // frames with an INTERVAL offset over a date or timestamp order)
  await t.step("RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW", async () => {
    await expectRows(
      db,
      `SELECT d, SUM(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL '2 days' PRECEDING AND CURRENT ROW)
         FROM VALUES ('2024-01-01'::DATE, 1), ('2024-01-02'::DATE, 2), ('2024-01-05'::DATE, 4),
                     ('2024-01-06'::DATE, 8) AS t(d, x) ORDER BY d;`,
      {
        rows: [["2024-01-01", "1"], ["2024-01-02", "3"], ["2024-01-05", "4"], ["2024-01-06", "12"]],
      },
    );
  });

  // https://docs.snowflake.com/en/sql-reference/functions/array_agg (DISTINCT with WITHIN GROUP)
  await t.step("ARRAY_AGG(DISTINCT x) WITHIN GROUP (ORDER BY x [DESC])", async () => {
    const r = await db.run(
      `SELECT ARRAY_AGG(DISTINCT g) WITHIN GROUP (ORDER BY g DESC)
         FROM VALUES ('a'), ('b'), ('a'), ('c') AS t(g);`,
    );
    assert.deepEqual(JSON.parse(String(r.rows[0][0])), ["c", "b", "a"]);
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/booland
// https://docs.snowflake.com/en/sql-reference/functions/boolor
// https://docs.snowflake.com/en/sql-reference/functions/boolxor
// https://docs.snowflake.com/en/sql-reference/functions/boolnot
// https://docs.snowflake.com/en/sql-reference/functions/factorial
conformance("BOOLAND, BOOLOR, BOOLXOR, BOOLNOT and FACTORIAL", async ({ db }, t) => {
  await t.step("BOOLAND: non-zero numbers are true; a zero beats a NULL", async () => {
    await expectRows(
      db,
      `SELECT BOOLAND(1, -2), BOOLAND(0, 2.35), BOOLAND(0, 0), BOOLAND(0, NULL),
         BOOLAND(NULL, 3), BOOLAND(NULL, NULL);`,
      { rows: [["True", "False", "False", "False", null, null]] },
    );
  });
  await t.step("BOOLOR: a non-zero beats a NULL", async () => {
    await expectRows(
      db,
      `SELECT BOOLOR(1, 2), BOOLOR(-1.35, 0), BOOLOR(3, NULL), BOOLOR(0, 0), BOOLOR(NULL, 0),
         BOOLOR(NULL, NULL);`,
      { rows: [["True", "True", "True", "False", null, null]] },
    );
  });
  await t.step("BOOLXOR: exactly one true; any NULL gives NULL", async () => {
    await expectRows(
      db,
      `SELECT BOOLXOR(2, 0), BOOLXOR(1, -1), BOOLXOR(0, 0), BOOLXOR(NULL, 3), BOOLXOR(NULL, 0),
         BOOLXOR(NULL, NULL);`,
      { rows: [["True", "False", "False", null, null, null]] },
    );
  });
  await t.step("BOOLNOT", async () => {
    await expectRows(db, "SELECT BOOLNOT(0), BOOLNOT(10), BOOLNOT(-3.79), BOOLNOT(NULL);", {
      rows: [["True", "False", "False", null]],
    });
  });
  await t.step("FACTORIAL from 0 to 33, exact", async () => {
    await expectRows(
      db,
      "SELECT FACTORIAL(0), FACTORIAL(1), FACTORIAL(5), FACTORIAL(10), FACTORIAL(33);",
      { rows: [["1", "1", "120", "3628800", "8683317618811886495518194401280000000"]] },
    );
    await db.expectError("SELECT FACTORIAL(34);", { message: "0 to 33" });
  });
});
