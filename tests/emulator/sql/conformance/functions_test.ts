/**
 * Function semantics: INITCAP's word separators, CEIL/FLOOR with a scale, TRY_ conversions that
 * return NULL, OBJECT_AGG's NULL and duplicate keys, the scale of MEDIAN and PERCENTILE_CONT,
 * date functions of NULL, exact cube roots, and the array, object, string, date and numeric
 * functions typical Snowflake SQL uses. Values are the doc pages' where they print them;
 * otherwise they are computed from the page's rules (and say so).
 */
import assert from "node:assert/strict";
import { conformance, expectRows, once } from "./harness.ts";

// https://docs.snowflake.com/en/sql-reference/functions/initcap
// (examples: https://docs.snowflake.com/en/developer-guide/snowpark/reference/python/latest/snowpark/api/snowflake.snowpark.functions.initcap)
conformance("INITCAP: words start after whitespace or punctuation", async ({ db }, t) => {
  await t.step("'hello world' is 'Hello World'", async () => {
    const r = await expectRows(db, "SELECT INITCAP('hello world');", {
      rows: [["Hello World"]],
    });
    assert.equal(r.columns[0].type, "text");
  });

  await t.step("the docs' rows: 'The Sky Is Blue', 'We Can Handle This', NULL", async () => {
    await expectRows(
      db,
      "SELECT INITCAP(a) FROM VALUES ('the sky is blue'), ('WE CAN HANDLE THIS'), (NULL) AS t(a);",
      { rows: [["The Sky Is Blue"], ["We Can Handle This"], [null]] },
    );
  });

  await t.step("every default separator starts a word; an apostrophe does not", async () => {
    // Computed: the page lists <whitespace> ! ? @ " ^ # $ & ~ _ , . : ; + - * % / | \ [ ] ( ) { } < >.
    await expectRows(db, "SELECT INITCAP('a.b_c-d(e)f\tg o''neil');", {
      rows: [["A.B_C-D(E)F\tG O'neil"]],
    });
  });

  await t.step("delimiters '' capitalise only the first letter: 'The sky is blue'", async () => {
    await expectRows(db, "SELECT INITCAP('the sky is blue', '');", {
      rows: [["The sky is blue"]],
    });
  });

  await t.step("delimiters '-' split only on '-': 'Lake-Tahoe o'neil'", async () => {
    // Computed from the delimiters rule.
    await expectRows(db, "SELECT INITCAP('lake-TAHOE o''neil', '-');", {
      rows: [["Lake-Tahoe o'neil"]],
    });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/ceil
// https://docs.snowflake.com/en/sql-reference/functions/floor
conformance("CEIL and FLOOR: the scale argument, positive and negative", async ({ db }, t) => {
  await t.step("CEIL(1.21, 1) is 1.3 and FLOOR(-1.21, 1) is -1.3", async () => {
    const r = await expectRows(db, "SELECT CEIL(1.21, 1), FLOOR(-1.21, 1);", {
      rows: [["1.3", "-1.3"]],
    });
    // "If the input scale is positive, the returned type has a scale equal to the input scale."
    assert.deepEqual(r.columns.map((c) => [c.type, c.scale]), [["fixed", 1], ["fixed", 1]]);
  });

  await t.step("CEIL(3.14, 1) is a NUMBER of scale 1 and precision at least 3", async () => {
    const r = await expectRows(db, "SELECT CEIL(3.14, 1);", { rows: [["3.2"]] });
    assert.equal(r.columns[0].scale, 1);
    assert.ok((r.columns[0].precision ?? 0) >= 3);
  });

  await t.step("CEIL(-9.99, 0) has scale 0; CEIL(33.33, -1) is 40 with scale 0", async () => {
    const r = await expectRows(db, "SELECT CEIL(-9.99, 0), CEIL(33.33, -1);", {
      rows: [["-9", "40"]],
    });
    assert.deepEqual(r.columns.map((c) => c.scale), [0, 0]);
  });

  await t.step(
    "a negative scale gives multiples of 10^-scale: FLOOR(135.135, -2) is 100",
    async () => {
      await expectRows(db, "SELECT FLOOR(135.135, -2), CEIL(135.135, -2), FLOOR(-975.975, -1);", {
        rows: [["100", "200", "-980"]],
      });
    },
  );

  await t.step("a scale past the input's has no effect; a NULL scale gives NULL", async () => {
    await expectRows(db, "SELECT CEIL(1.21, 5), FLOOR(1.21, NULL);", { rows: [["1.21", null]] });
  });

  await t.step("a FLOAT stays a FLOAT: CEIL(3.14::FLOAT, 1) is 3.2", async () => {
    const r = await expectRows(db, "SELECT CEIL(3.14::FLOAT, 1);", { rows: [["3.2"]] });
    assert.equal(r.columns[0].type, "real");
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/try_to_decimal
// https://docs.snowflake.com/en/sql-reference/functions/try_to_double
// https://docs.snowflake.com/en/sql-reference/functions/try_to_date
// https://docs.snowflake.com/en/sql-reference/functions/try_to_timestamp
// https://docs.snowflake.com/en/sql-reference/functions/try_to_boolean
conformance("TRY_ conversions return NULL instead of an error", async ({ db }, t) => {
  await t.step("TRY_TO_NUMBER('abc') and TRY_TO_NUMBER('1,234') are NULL", async () => {
    await expectRows(db, "SELECT TRY_TO_NUMBER('abc'), TRY_TO_NUMBER('1,234');", {
      rows: [[null, null]],
    });
  });

  await t.step("TRY_TO_DECIMAL and TRY_TO_NUMERIC of bad text are NULL", async () => {
    await expectRows(
      db,
      "SELECT TRY_TO_DECIMAL('abc', 10, 2), TRY_TO_NUMERIC('x'), TRY_TO_DECIMAL('12345.6', 4, 1);",
      { rows: [[null, null, null]] },
    );
  });

  await t.step("good text still converts: TRY_TO_NUMBER('12.3456', 10, 1) is 12.3", async () => {
    const r = await expectRows(db, "SELECT TRY_TO_NUMBER('12.3456', 10, 1);", {
      rows: [["12.3"]],
    });
    assert.deepEqual([r.columns[0].precision, r.columns[0].scale], [10, 1]);
  });

  await t.step(
    "TRY_TO_DOUBLE, TRY_TO_DATE, TRY_TO_TIMESTAMP, TRY_TO_BOOLEAN give NULL",
    async () => {
      await expectRows(
        db,
        "SELECT TRY_TO_DOUBLE('abc'), TRY_TO_DATE('abc'), TRY_TO_TIMESTAMP('abc'), TRY_TO_BOOLEAN('abc');",
        { rows: [[null, null, null, null]] },
      );
    },
  );

  await t.step("TO_NUMBER('abc') still fails with 100038", async () => {
    await db.expectError("SELECT TO_NUMBER('abc');", { code: "100038" });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/object_agg
conformance("OBJECT_AGG: NULL keys and values are ignored; duplicates fail", async ({ db }, t) => {
  await t.step("the docs' groups: {age: 21, name: Joe} and {name: Sue, zip: 94401}", async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE objectagg_example(g NUMBER, k VARCHAR(30), v VARIANT);",
      "INSERT INTO objectagg_example SELECT 0, 'name', 'Joe'::VARIANT;",
      "INSERT INTO objectagg_example SELECT 0, 'age', 21::VARIANT;",
      "INSERT INTO objectagg_example SELECT 1, 'name', 'Sue'::VARIANT;",
      "INSERT INTO objectagg_example SELECT 1, 'zip', 94401::VARIANT;",
    ]);
    const r = await db.run("SELECT OBJECT_AGG(k, v) FROM objectagg_example GROUP BY g ORDER BY g;");
    assert.deepEqual(r.rows.map((row) => JSON.parse(row[0]!)), [
      { age: 21, name: "Joe" },
      { name: "Sue", zip: 94401 },
    ]);
  });

  await t.step("input tuples with a NULL key and/or value are ignored", async () => {
    const r = await db.run(
      `SELECT OBJECT_AGG(k, v) FROM VALUES ('a', 1), ('b', NULL), (NULL, 3) AS t(k, v);`,
    );
    assert.deepEqual(JSON.parse(r.rows[0][0]!), { a: 1 });
  });

  await t.step("a duplicate key is the error Duplicate field key 'a'", async () => {
    await db.expectError(
      "SELECT OBJECT_AGG(k, v) FROM VALUES ('a', 1), ('a', 2) AS t(k, v);",
      { message: "Duplicate field key 'a'" },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/percentile_cont
// https://docs.snowflake.com/en/sql-reference/functions/median
// (examples: https://docs.snowflake.com/en/developer-guide/snowpark/reference/python/latest/snowpark/api/snowflake.snowpark.functions.percentile_cont
//  and …/snowflake.snowpark.functions.median, whose integer inputs give 12.500 and 3.000)
conformance(
  "PERCENTILE_CONT and MEDIAN interpolate at the input's scale + 3",
  async ({ db }, t) => {
    await t.step("PERCENTILE_CONT(0.9) over 1, 2, 3, 4 is 3.700", async () => {
      const r = await expectRows(
        db,
        "SELECT PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY x) FROM VALUES (1), (2), (3), (4) AS t(x);",
        { rows: [["3.700"]] },
      );
      assert.deepEqual([r.columns[0].type, r.columns[0].scale], ["fixed", 3]);
    });

    await t.step(
      "the docs' PERCENTILE_CONT(0.25) per k: 10.000, 12.500, 17.500, 60.000, NULL",
      async () => {
        await expectRows(
          db,
          `SELECT k, PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY v) FROM VALUES
         (0, 0), (0, 10), (0, 20), (0, 30), (0, 40), (1, 10), (1, 20), (2, 10), (2, 20), (2, 25),
         (2, 30), (3, 60), (4, NULL) AS t(k, v) GROUP BY k ORDER BY k;`,
          {
            rows: [["0", "10.000"], ["1", "12.500"], ["2", "17.500"], ["3", "60.000"], [
              "4",
              null,
            ]],
          },
        );
      },
    );

    await t.step(
      "DESC reads the percentile from the top: 0.25 over 4, 3, 2, 1 is 3.250",
      async () => {
        // Computed: 0.25 of the descending order is 0.75 of the ascending one.
        await expectRows(
          db,
          "SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY x DESC) FROM VALUES (1), (2), (3), (4) AS t(x);",
          { rows: [["3.250"]] },
        );
      },
    );

    await t.step(
      "MEDIAN of 1, 2 is 1.500; the docs' MEDIAN of 1, 3, 10, 1, 3 is 3.000",
      async () => {
        const r = await expectRows(db, "SELECT MEDIAN(x) FROM VALUES (1), (2) AS t(x);", {
          rows: [["1.500"]],
        });
        assert.deepEqual([r.columns[0].type, r.columns[0].scale], ["fixed", 3]);
        await expectRows(db, "SELECT MEDIAN(x) FROM VALUES (1), (3), (10), (1), (3) AS t(x);", {
          rows: [["3.000"]],
        });
      },
    );

    await t.step("MEDIAN of NUMBER(4,2) values has scale 5", async () => {
      await expectRows(db, "SELECT MEDIAN(x) FROM VALUES (1.25), (2.50) AS t(x);", {
        rows: [["1.87500"]],
      });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/dateadd
// https://docs.snowflake.com/en/sql-reference/functions/datediff
// https://docs.snowflake.com/en/sql-reference/functions/date_trunc
conformance("Date functions of NULL are NULL", async ({ db }, t) => {
  await t.step("DATEADD(day, 1, NULL) and DATE_TRUNC(month, NULL) are NULL", async () => {
    await expectRows(db, "SELECT DATEADD(day, 1, NULL), DATE_TRUNC(month, NULL);", {
      rows: [[null, null]],
    });
  });

  await t.step("a NULL bind: DATEADD(day, 1, ?) is NULL", async () => {
    await expectRows(db, "SELECT DATEADD(day, 1, ?), DATE_TRUNC('MONTH', ?);", {
      rows: [[null, null]],
    }, [null, null]);
  });

  await t.step("DATEDIFF, TO_DATE, LAST_DAY and DATE_PART of NULL are NULL", async () => {
    await expectRows(
      db,
      "SELECT DATEDIFF(day, NULL, '2020-01-01'), TO_DATE(NULL), LAST_DAY(NULL), DATE_PART(year, NULL);",
      { rows: [[null, null, null, null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/cbrt
conformance("CBRT: exact cubes have exact roots", async ({ db }, t) => {
  await t.step("CBRT(27) is exactly 3, CBRT(-8) exactly -2", async () => {
    await expectRows(db, "SELECT CBRT(27), CBRT(27) = 3, CBRT(-8) = -2;", {
      rows: [["3", "True", "True"]],
    });
  });

  await t.step("the docs' CBRT(2) is 1.25992105", async () => {
    await expectRows(db, "SELECT ROUND(CBRT(2), 8);", { rows: [["1.25992105"]] });
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/array_to_string
// https://docs.snowflake.com/en/sql-reference/functions/array_append
// https://docs.snowflake.com/en/sql-reference/functions/array_cat
// https://docs.snowflake.com/en/sql-reference/functions/array_slice
// https://docs.snowflake.com/en/sql-reference/functions/array_distinct
// https://docs.snowflake.com/en/sql-reference/functions/array_compact
// https://docs.snowflake.com/en/sql-reference/functions/array_position
// https://docs.snowflake.com/en/sql-reference/functions/array_sort
// https://docs.snowflake.com/en/sql-reference/functions/array_unique_agg
// https://docs.snowflake.com/en/sql-reference/functions/strtok_to_array
conformance("Array functions on the emulator's ARRAY values", async ({ db }, t) => {
  await t.step("ARRAY_TO_STRING: each element as TO_VARCHAR, NULL elements empty", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_TO_STRING(PARSE_JSON(column1), ', ') FROM VALUES
         (NULL), ('[]'), ('[1]'), ('[1, 2]'),
         ('[true, 1, -1.2e-3, "Abc", ["x","y"], {"a":1}]'), ('[1, null, 2]');`,
      {
        rows: [[null], [""], ["1"], ["1, 2"], [
          'true, 1, -0.0012, Abc, ["x","y"], {"a":1}',
        ], ["1, , 2"]],
      },
    );
  });

  await t.step("ARRAY_TO_STRING of ARRAY_CONSTRUCT(1, 2) is '1-2'", async () => {
    await expectRows(db, "SELECT ARRAY_TO_STRING(ARRAY_CONSTRUCT(1, 2), '-');", {
      rows: [["1-2"]],
    });
  });

  await t.step("ARRAY_APPEND, ARRAY_PREPEND and ARRAY_CAT", async () => {
    const r = await expectRows(
      db,
      `SELECT ARRAY_APPEND(ARRAY_CONSTRUCT(1, 2, 3), 'hello'),
              ARRAY_PREPEND(ARRAY_CONSTRUCT(0, 1), 'hello'),
              ARRAY_CAT(ARRAY_CONSTRUCT(1, 2), ARRAY_CONSTRUCT(3, 4)),
              ARRAY_CAT(ARRAY_CONSTRUCT(1), NULL);`,
      { rows: [['[1,2,3,"hello"]', '["hello",0,1]', "[1,2,3,4]", null]] },
    );
    assert.equal(r.columns[0].type, "array");
  });

  await t.step("ARRAY_SLICE: 0-based, `to` excluded, negative from the end", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_SLICE([0,1,2,3,4,5,6], 0, 2),
              ARRAY_SLICE([0,1,2,3,4,5,6], 3, ARRAY_SIZE([0,1,2,3,4,5,6])),
              ARRAY_SLICE(['foo','snow','flake','bar'], 1, 3),
              ARRAY_SLICE(NULL, 2, 3),
              ARRAY_SLICE([0,1,2,3,4,5,6], NULL, 2),
              ARRAY_SLICE([0,1,2,3,4,5,6], 0, -2),
              ARRAY_SLICE([0,1,2,3,4,5,6], -5, -3),
              ARRAY_SLICE([0,1,2,3,4,5,6], 10, 12),
              ARRAY_SLICE([0,1,2,3,4,5,6], -10, -12);`,
      {
        rows: [[
          "[0,1]",
          "[3,4,5,6]",
          '["snow","flake"]',
          null,
          null,
          "[0,1,2,3,4]",
          "[2,3]",
          "[]",
          "[]",
        ]],
      },
    );
  });

  await t.step(
    "ARRAY_DISTINCT([1,1,1,2,3,2,2]) is [1,2,3]; ARRAY_COMPACT drops nulls",
    async () => {
      await expectRows(
        db,
        `SELECT ARRAY_DISTINCT(ARRAY_CONSTRUCT(1, 1, 1, 2, 3, 2, 2)),
              ARRAY_DISTINCT(['A', 'A', 'B']),
              ARRAY_COMPACT(ARRAY_CONSTRUCT(1, NULL, 3, PARSE_JSON('null')));`,
        { rows: [["[1,2,3]", '["A","B"]', "[1,3]"]] },
      );
    },
  );

  await t.step("ARRAY_POSITION is 0-based, NULL when absent", async () => {
    const r = await expectRows(
      db,
      `SELECT ARRAY_POSITION('hello'::VARIANT, ARRAY_CONSTRUCT('hello', 'hi')),
              ARRAY_POSITION('hola'::VARIANT, ARRAY_CONSTRUCT('hello', 'hi')),
              ARRAY_POSITION(2, ARRAY_CONSTRUCT(1, 2));`,
      { rows: [["0", null, "1"]] },
    );
    assert.equal(r.columns[0].type, "fixed");
  });

  await t.step("ARRAY_SORT: numbers by value, ascending or not, NULLs placed", async () => {
    await expectRows(
      db,
      `SELECT ARRAY_SORT([20, 0, 100, 10]), ARRAY_SORT([20, 0, 100, 10], FALSE),
              ARRAY_SORT([20, NULL, 0], TRUE, TRUE), ARRAY_SORT(['b', 'a', 'c']);`,
      { rows: [["[0,10,20,100]", "[100,20,10,0]", "[null,0,20]", '["a","b","c"]']] },
    );
  });

  await t.step("ARRAY_UNIQUE_AGG: distinct non-NULL values", async () => {
    await expectRows(
      db,
      "SELECT ARRAY_SORT(ARRAY_UNIQUE_AGG(x)) FROM VALUES (3), (1), (3), (NULL) AS t(x);",
      { rows: [["[1,3]"]] },
    );
  });

  await t.step("STRTOK_TO_ARRAY splits on any delimiter character, dropping empties", async () => {
    await expectRows(
      db,
      `SELECT STRTOK_TO_ARRAY('a.b.c', '.'), STRTOK_TO_ARRAY('user@snowflake.com', '.@'),
              STRTOK_TO_ARRAY('a  b'), STRTOK_TO_ARRAY(NULL);`,
      { rows: [['["a","b","c"]', '["user","snowflake","com"]', '["a","b"]', null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/object_insert
// https://docs.snowflake.com/en/sql-reference/functions/object_delete
// https://docs.snowflake.com/en/sql-reference/functions/is_integer
conformance("OBJECT_INSERT, OBJECT_DELETE and IS_INTEGER", async ({ db }, t) => {
  await t.step("OBJECT_INSERT adds a key; update_flag TRUE replaces one", async () => {
    const r = await db.run(
      `SELECT OBJECT_INSERT(OBJECT_CONSTRUCT('a', 1, 'b', 2), 'c', 3),
              OBJECT_INSERT(OBJECT_CONSTRUCT('a', 1), 'a', 2, TRUE),
              OBJECT_INSERT(OBJECT_CONSTRUCT('a', 1), 'b', NULL);`,
    );
    assert.deepEqual(r.rows[0].map((v) => JSON.parse(v!)), [{ a: 1, b: 2, c: 3 }, { a: 2 }, {
      a: 1,
    }]);
    assert.equal(r.columns[0].type, "object");
  });

  await t.step("OBJECT_INSERT of an existing key without update_flag fails", async () => {
    await db.expectError("SELECT OBJECT_INSERT(OBJECT_CONSTRUCT('a', 1), 'a', 2);", {
      message: "Duplicate field key 'a'",
    });
  });

  await t.step("OBJECT_DELETE removes the keys given", async () => {
    const r = await db.run(
      "SELECT OBJECT_DELETE(OBJECT_CONSTRUCT('a', 1, 'b', 2, 'c', 3), 'a', 'b');",
    );
    assert.deepEqual(JSON.parse(r.rows[0][0]!), { c: 3 });
  });

  await t.step("IS_INTEGER is TRUE for 1, FALSE for 1.5 and 'a', NULL for NULL", async () => {
    await expectRows(
      db,
      `SELECT IS_INTEGER(PARSE_JSON('1')), IS_INTEGER(PARSE_JSON('1.5')),
              IS_INTEGER(PARSE_JSON('"a"')), IS_INTEGER(NULL);`,
      { rows: [["True", "False", "False", null]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/regexp_instr
// https://docs.snowflake.com/en/sql-reference/functions/translate
// https://docs.snowflake.com/en/sql-reference/functions/space
// https://docs.snowflake.com/en/sql-reference/functions/base64_encode
// https://docs.snowflake.com/en/sql-reference/functions/base64_decode_string
conformance("REGEXP_INSTR, TRANSLATE, SPACE and BASE64", async ({ db }, t) => {
  await t.step("REGEXP_INSTR: position, occurrence and option 1", async () => {
    // Computed from the page's rules (1-based; option 1 is the position after the match).
    const r = await expectRows(
      db,
      `SELECT REGEXP_INSTR(s, 'the'), REGEXP_INSTR(s, 'the', 1, 2), REGEXP_INSTR(s, 'the', 1, 2, 1),
              REGEXP_INSTR(s, 'the', 9), REGEXP_INSTR(s, 'nope')
         FROM VALUES ('It was the best of times, it was the worst of times') AS t(s);`,
      { rows: [["8", "34", "37", "34", "0"]] },
    );
    assert.equal(r.columns[0].type, "fixed");
  });

  await t.step("TRANSLATE replaces characters and drops those without a match", async () => {
    await expectRows(db, "SELECT TRANSLATE('peña', 'ñ', 'n'), TRANSLATE('abcabc', 'ab', 'x');", {
      rows: [["pena", "xcxc"]],
    });
  });

  await t.step("SPACE(3) is three spaces", async () => {
    await expectRows(db, "SELECT '|' || SPACE(3) || '|';", { rows: [["|   |"]] });
  });

  await t.step("BASE64_ENCODE('Snowflake') is 'U25vd2ZsYWtl' and back", async () => {
    await expectRows(
      db,
      "SELECT BASE64_ENCODE('Snowflake'), BASE64_DECODE_STRING('U25vd2ZsYWtl');",
      { rows: [["U25vd2ZsYWtl", "Snowflake"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/next_day
// https://docs.snowflake.com/en/sql-reference/functions/previous_day
// https://docs.snowflake.com/en/sql-reference/functions/time_from_parts
conformance("NEXT_DAY, PREVIOUS_DAY and TIME_FROM_PARTS", async ({ db }, t) => {
  await t.step("NEXT_DAY / PREVIOUS_DAY are strictly after / before the date", async () => {
    // Computed: 2024-01-05 is a Friday.
    const r = await expectRows(
      db,
      `SELECT NEXT_DAY('2024-01-01'::DATE, 'Friday'), NEXT_DAY('2024-01-05'::DATE, 'fr'),
              PREVIOUS_DAY('2024-01-05'::DATE, 'FRI'), PREVIOUS_DAY('2024-01-01 10:00'::TIMESTAMP, 'su');`,
      { rows: [["2024-01-05", "2024-01-12", "2023-12-29", "2023-12-31"]] },
    );
    assert.equal(r.columns[0].type, "date");
  });

  await t.step("TIME_FROM_PARTS(12, 34, 56) and parts that carry over", async () => {
    const r = await expectRows(
      db,
      "SELECT TIME_FROM_PARTS(12, 34, 56), TIME_FROM_PARTS(0, 100, 0), TIME_FROM_PARTS(12, 0, 12345), TIME_FROM_PARTS(12, 0, -1);",
      { rows: [["12:34:56", "01:40:00", "15:25:45", "11:59:59"]] },
    );
    assert.equal(r.columns[0].type, "time");
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/sin
// https://docs.snowflake.com/en/sql-reference/functions/cos
// https://docs.snowflake.com/en/sql-reference/functions/tan
// https://docs.snowflake.com/en/sql-reference/functions/atan2
// https://docs.snowflake.com/en/sql-reference/functions/bitand
// https://docs.snowflake.com/en/sql-reference/functions/bitor
// https://docs.snowflake.com/en/sql-reference/functions/bitxor
// https://docs.snowflake.com/en/sql-reference/functions/grouping
conformance("Trigonometry, bitwise functions and GROUPING", async ({ db }, t) => {
  await t.step("SIN(0) 0, COS(0) 1, TAN(0) 0, ATAN2(5, 5) 0.785398163 (FLOAT)", async () => {
    const r = await expectRows(
      db,
      "SELECT SIN(0), COS(0), TAN(0), ROUND(ATAN2(5, 5), 9);",
      { rows: [["0", "1", "0", "0.785398163"]] },
    );
    assert.equal(r.columns[0].type, "real");
  });

  await t.step("BITAND(12, 10) 8, BITOR 14, BITXOR 6", async () => {
    const r = await expectRows(db, "SELECT BITAND(12, 10), BITOR(12, 10), BITXOR(12, 10);", {
      rows: [["8", "14", "6"]],
    });
    assert.equal(r.columns[0].type, "fixed");
  });

  await t.step("GROUPING is 1 on the ROLLUP's total row", async () => {
    await expectRows(
      db,
      "SELECT x, GROUPING(x), COUNT(*) FROM VALUES (1), (2) AS t(x) GROUP BY ROLLUP(x) ORDER BY x;",
      { rows: [["1", "0", "1"], ["2", "0", "1"], [null, "1", "2"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/first_value, …/last_value, …/nth_value
conformance(
  "FIRST_VALUE, LAST_VALUE, NTH_VALUE: without a frame the window is the whole partition",
  async ({ db }, t) => {
    const ready = once(async () => {
      await db.runAll([
        "CREATE TABLE fv (column1 INTEGER, column2 INTEGER);",
        `INSERT INTO fv VALUES (1, 10), (1, 11), (1, NULL), (1, 12), (2, 20), (2, 21), (2, 22);`,
      ]);
    });
    const query = (f: string) =>
      `SELECT column1, column2, ${f} OVER (PARTITION BY column1 ORDER BY column2 NULLS LAST) AS v
       FROM fv ORDER BY column1, column2 NULLS LAST;`;
    const each = (one: string | null, two: string | null) => [
      ["1", "10", one],
      ["1", "11", one],
      ["1", "12", one],
      ["1", null, one],
      ["2", "20", two],
      ["2", "21", two],
      ["2", "22", two],
    ];

    await t.step("FIRST_VALUE(column2): 10 and 20 on every row", async () => {
      await ready();
      await expectRows(db, query("FIRST_VALUE(column2)"), { rows: each("10", "20") });
    });

    await t.step("LAST_VALUE(column2): the NULL sorted last, and 22, on every row", async () => {
      await ready();
      await expectRows(db, query("LAST_VALUE(column2)"), { rows: each(null, "22") });
    });

    await t.step("NTH_VALUE(column2, 2): 11 and 21 on every row, the first rows too", async () => {
      await ready();
      await expectRows(db, query("NTH_VALUE(column2, 2)"), { rows: each("11", "21") });
    });

    await t.step("IGNORE NULLS inside the parentheses or after them: 12", async () => {
      await ready();
      await expectRows(db, query("LAST_VALUE(column2 IGNORE NULLS)"), { rows: each("12", "22") });
      await expectRows(db, query("LAST_VALUE(column2) IGNORE NULLS"), { rows: each("12", "22") });
    });

    await t.step("an explicit frame is kept: a running LAST_VALUE", async () => {
      await ready();
      await expectRows(
        db,
        `SELECT column2, LAST_VALUE(column2) OVER (PARTITION BY column1 ORDER BY column2
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS v
         FROM fv WHERE column1 = 2 ORDER BY column2;`,
        { rows: [["20", "20"], ["21", "21"], ["22", "22"]] },
      );
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/functions/typeof and …/functions/to_variant
conformance("VARIANT numbers keep their digits; TYPEOF names their kind", async ({ db }, t) => {
  await t.step("1 made VARIANT reads back as 1, and is an INTEGER", async () => {
    await expectRows(
      db,
      `SELECT (1::VARIANT)::VARCHAR AS a, TO_VARIANT(5)::VARCHAR AS b,
         ARRAY_CONSTRUCT(1, 2)[1]::VARCHAR AS c, TYPEOF(1::VARIANT) AS d,
         TYPEOF(12345678901234567890123::VARIANT) AS e;`,
      { rows: [["1", "5", "2", "INTEGER", "INTEGER"]] },
    );
  });

  await t.step("decimals keep their digits, in arrays and objects too", async () => {
    await expectRows(
      db,
      `SELECT TYPEOF(PARSE_JSON('1.5')) AS a, ARRAY_CONSTRUCT(1, 2.5, 'x')::VARCHAR AS b,
         OBJECT_CONSTRUCT('a', 1, 'b', 0.001)::VARCHAR AS c;`,
      { rows: [["DECIMAL", '[1,2.5,"x"]', '{"a":1,"b":0.001}']] },
    );
  });

  await t.step(
    "a value not yet VARIANT is typed as it would be: TIMESTAMP_LTZ, VARCHAR",
    async () => {
      await expectRows(
        db,
        "SELECT TYPEOF(CURRENT_TIMESTAMP()) AS a, TYPEOF('x') AS b, TYPEOF(PARSE_JSON('null')) AS c;",
        { rows: [["TIMESTAMP_LTZ", "VARCHAR", "NULL_VALUE"]] },
      );
    },
  );

  await t.step("an integer inserted into a VARIANT column stays one", async () => {
    await db.runAll(["CREATE TABLE vt (x VARIANT);", "INSERT INTO vt SELECT 7;"]);
    await expectRows(db, "SELECT x::VARCHAR AS s, TYPEOF(x) AS t FROM vt;", {
      rows: [["7", "INTEGER"]],
    });
  });
});

// https://docs.snowflake.com/en/developer-guide/udf/sql/udf-sql-introduction (the area of a
// circle and the profit examples) and …/udf-sql-scalar-functions
conformance(
  "SQL scalar UDFs: an expression or a query, called like a built-in",
  async ({ db }, t) => {
    await t.step("area_of_circle(1.0) is pi", async () => {
      await db.run(`CREATE FUNCTION area_of_circle(radius FLOAT)
      RETURNS FLOAT
      AS
      $$
        pi() * radius * radius
      $$;`);
      await expectRows(db, "SELECT ROUND(area_of_circle(1.0), 9) AS area;", {
        rows: [["3.141592654"]],
      });
    });

    await t.step("profit() sums a table: 530.00", async () => {
      await db.runAll([
        `CREATE OR REPLACE TABLE purchases (number_sold INTEGER, wholesale_price NUMBER(7,2),
         retail_price NUMBER(7,2));`,
        "INSERT INTO purchases (number_sold, wholesale_price, retail_price) VALUES (3, 10.00, 20.00), (5, 100.00, 200.00);",
        `CREATE FUNCTION profit()
        RETURNS NUMERIC(11, 2)
        AS
        $$
          SELECT SUM((retail_price - wholesale_price) * number_sold) FROM purchases
        $$;`,
      ]);
      const r = await expectRows(db, "SELECT profit();", { rows: [["530.00"]] });
      assert.equal(r.columns[0].scale, 2, "the declared return type");
    });

    await t.step("arguments take the parameter's type; per row and inside aggregates", async () => {
      await db.run("CREATE OR REPLACE FUNCTION add1(x NUMBER) RETURNS NUMBER AS 'x + 1';");
      await expectRows(
        db,
        "SELECT add1(41), add1(NULL), add1(1.5), SUM(add1(number_sold)) FROM purchases;",
        { rows: [["42", null, "3", "10"]] },
      );
    });

    await t.step("SHOW USER FUNCTIONS lists it with its signature", async () => {
      const r = await db.run("SHOW USER FUNCTIONS LIKE 'ADD1';");
      assert.equal(r.rows.length, 1);
      assert.match(
        String(r.rows[0][r.columns.findIndex((c) => c.name === "arguments")]),
        /^ADD1\(NUMBER\) RETURN NUMBER/,
      );
    });

    await t.step("a wrong argument count, or a body naming nothing, is an error", async () => {
      await db.expectError("SELECT add1(1, 2);", { code: "001044" });
      await db.expectError("CREATE FUNCTION bad(x NUMBER) RETURNS NUMBER AS 'y + 1';", {
        code: "000904",
        message: /invalid identifier 'Y'/,
      });
    });
  },
);

// https://docs.snowflake.com/en/sql-reference/sql-format-models
// https://docs.snowflake.com/en/sql-reference/functions/to_char
// https://docs.snowflake.com/en/sql-reference/functions/to_decimal
conformance("numeric format models: TO_CHAR and TO_NUMBER with a format", async ({ db }, t) => {
  await t.step("the TO_CHAR page's table: $99.0, B9,999.0, TM9, 0XXX and S0XXX", async () => {
    await expectRows(
      db,
      `SELECT TO_CHAR(column1, '">"$99.0"<"'), TO_CHAR(column1, '">"B9,999.0"<"'),
        TO_CHAR(column1, '">"TM9"<"'), TO_CHAR(column1, '">"0XXX"<"'),
        TO_CHAR(column1, '">"S0XXX"<"')
      FROM VALUES (-12.391), (0), (-1), (0.10), (0.01), (3987), (1.111);`,
      {
        rows: [
          [">-$12.4<", ">   -12.4<", ">-12.391<", ">FFF4<", ">-000C<"],
          [">  $0.0<", ">      .0<", ">0.000<", ">0000<", ">+0000<"],
          ["> -$1.0<", ">    -1.0<", ">-1.000<", ">FFFF<", ">-0001<"],
          [">  $0.1<", ">      .1<", ">0.100<", ">0000<", ">+0000<"],
          [">  $0.0<", ">      .0<", ">0.010<", ">0000<", ">+0000<"],
          ["> $##.#<", "> 3,987.0<", ">3987.000<", ">0F93<", ">+0F93<"],
          [">  $1.1<", ">     1.1<", ">1.111<", ">0001<", ">+0001<"],
        ],
      },
    );
  });

  await t.step("sign positions: 99, S99, 99S, MI99, 99MI, $99 and FM99 for 12 and -7", async () => {
    const fmts = ["99", "S99", "99S", "MI99", "99MI", "$99", "FM99"];
    await expectRows(
      db,
      `SELECT ${fmts.map((f) => `TO_CHAR(n, '${f}')`).join(", ")} FROM VALUES (12), (-7) AS v(n);`,
      {
        rows: [
          [" 12", "+12", "12+", " 12", "12 ", " $12", "12"],
          [" -7", " -7", " 7-", "- 7", " 7-", " -$7", "-7"],
        ],
      },
    );
  });

  await t.step("999,999.999, S000,000.000, S999,999.999 and FM999,999.999", async () => {
    // The page's sample_numbers (FLOAT): trailing fraction zeros of `9` print as spaces.
    await expectRows(
      db,
      `SELECT TO_VARCHAR(f, '999,999.999'), TO_VARCHAR(f, 'S000,000.000'),
        TO_VARCHAR(f, 'S999,999.999'), TO_VARCHAR(f, 'FM999,999.999')
      FROM VALUES (1.2::FLOAT), (123.456::FLOAT), (1234.56::FLOAT), (-123456.789::FLOAT) AS v(f);`,
      {
        rows: [
          ["       1.2  ", "+000,001.200", "      +1.2  ", "1.2"],
          ["     123.456", "+000,123.456", "    +123.456", "123.456"],
          ["   1,234.56 ", "+001,234.560", "  +1,234.56 ", "1,234.56"],
          ["-123,456.789", "-123,456.789", "-123,456.789", "-123,456.789"],
        ],
      },
    );
  });

  await t.step("literals, MI, rounding, overflow and NULL", async () => {
    await expectRows(
      db,
      `SELECT TO_CHAR(12, '">"99"<"'), TO_VARCHAR(-123.45, '999.99MI'), TO_CHAR(1234.5, '9,999.00'),
        TO_CHAR(99.96, '99.9'), TO_CHAR(NULL::NUMBER, '999'), TO_CHAR(12345678901234567890.5, 'FM99999999999999999999');`,
      {
        rows: [["> 12<", "123.45-", " 1,234.50", " ##.#", null, "12345678901234567891"]],
      },
    );
  });

  await t.step("datetime formats keep working", async () => {
    await expectRows(db, "SELECT TO_VARCHAR('2024-04-03'::DATE, 'yyyy.mm.dd');", {
      rows: [["2024.04.03"]],
    });
  });

  await t.step("elements the emulator does not print are refused", async () => {
    await db.expectError("SELECT TO_CHAR(1234, '9d999EE');", { code: "000002" });
    await db.expectError("SELECT TO_CHAR(1.5, 'TME');", { code: "000002" });
  });

  await t.step(
    "TO_NUMBER: the page's input examples with '999,999.99' and '000,000.00'",
    async () => {
      const r = await expectRows(
        db,
        `SELECT TO_NUMBER('012,345.67', '999,999.99', 8, 2), TO_NUMBER('12,345.67', '999,999.99', 8, 2),
        TO_NUMBER(' 12,345.67', '999,999.99', 8, 2), TO_NUMBER('012,345.67', '000,000.00', 8, 2),
        TO_DECIMAL('1,234.5', '9,999.9', 10, 1), TO_NUMERIC('$1,234', '$9,999');`,
        { rows: [["12345.67", "12345.67", "12345.67", "12345.67", "1234.5", "1234"]] },
      );
      assert.deepEqual([r.columns[0].type, r.columns[0].scale], ["fixed", 2]);
      await expectRows(
        db,
        `SELECT TRY_TO_NUMBER('12,345.67', '000,000.00', 8, 2), TRY_TO_NUMBER(' 12,345.67', '000,000.00', 8, 2);`,
        { rows: [[null, null]] },
      );
      await db.expectError("SELECT TO_NUMBER('12,345.67', '000,000.00', 8, 2);", {
        message: /Numeric value '12,345.67' is not recognized/,
      });
    },
  );

  await t.step("TO_NUMBER with 'MI999|999MI' reads -101, 102- and 103", async () => {
    await expectRows(
      db,
      "SELECT TO_NUMBER(v, 'MI999|999MI') FROM VALUES ('-101'), ('102-'), ('103') AS t(v);",
      { rows: [["-101"], ["-102"], ["103"]] },
    );
  });
});

// https://docs.snowflake.com/en/sql-reference/functions/object_construct (OBJECT_CONSTRUCT(*))
conformance("OBJECT_CONSTRUCT(*): an object of every column, NULLs left out", async ({ db }, t) => {
  await t.step("each row of demo_table_1 as an object keyed by column name", async () => {
    await db.runAll([
      "CREATE OR REPLACE TABLE demo_table_1 (province VARCHAR, created_date DATE);",
      `INSERT INTO demo_table_1 (province, created_date) VALUES
         ('Manitoba', '2024-01-18'::DATE), ('Alberta', '2024-01-19'::DATE), (NULL, NULL);`,
    ]);
    const r = await db.run(
      "SELECT OBJECT_CONSTRUCT(*) AS oc FROM demo_table_1 ORDER BY oc['PROVINCE'] NULLS LAST;",
    );
    assert.deepEqual(r.rows.map((row) => JSON.parse(String(row[0]))), [
      { CREATED_DATE: "2024-01-19", PROVINCE: "Alberta" },
      { CREATED_DATE: "2024-01-18", PROVINCE: "Manitoba" },
      {},
    ]);
  });
});
