#!/usr/bin/env bash
# `leanops validate`: a CSV checked against a Great Expectations suite (JSON and
# YAML) from the command line: the summary, GX's result shape with --json, the
# HTML report, exit 1 for a failed suite, exit 3 (one error line) for a bad
# suite or a malformed file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$T"
printf 'id,age,plan,joined\n1,34,basic,2024-01-05\n2,,premium,2024-02-10\n3,51,basic,2024-03-15\n4,29,gold,2024-04-20\n' >data.csv
cat >good.json <<'JSON'
{"expectation_suite_name": "good",
 "expectations": [
  {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
  {"expectation_type": "expect_column_values_to_be_between",
   "kwargs": {"column": "age", "min_value": 18, "max_value": 99}},
  {"expectation_type": "expect_column_min_to_be_between",
   "kwargs": {"column": "joined", "min_value": "2024-01-01"}},
  {"expectation_type": "expect_table_row_count_to_equal", "kwargs": {"value": 4}}]}
JSON
expect_exit 0 lo validate data.csv --suite good.json
assert_contains "$LAST_OUT" "Validated data.csv (4 rows) against suite good" "the summary names the data and the suite"
assert_contains "$LAST_OUT" "4 of 4 expectations met (100.0%)" "a suite that holds exits 0"

cat >bad.yaml <<'YAML'
expectation_suite_name: bad
expectations:
  - expectation_type: expect_column_values_to_be_in_set
    kwargs: {column: plan, value_set: [basic, premium]}
  - expectation_type: expect_column_values_to_not_be_null
    kwargs: {column: age, mostly: 0.9}
  - expectation_type: expect_column_values_to_not_be_null
    kwargs: {column: age, mostly: 0.75}
YAML
expect_exit 1 lo validate data.csv --suite bad.yaml --report report.html
assert_contains "$LAST_ERR" "data.csv: suite bad failed: 2 of 3 expectations not met (report: report.html)" \
  "a failed suite exits 1 and says how many expectations failed"
assert_contains "$LAST_OUT" 'FAIL expect_column_values_to_be_in_set(plan): 1 unexpected of 4 (25%), e.g. ["gold"]' \
  "the summary shows the unexpected values"
assert_contains "$(cat report.html)" '<span class="fail">failed</span>' "the HTML report is written"

expect_exit 1 lo validate data.csv --suite bad.yaml --json
py() { python3 -c "import json, sys; d = json.loads(sys.argv[1]); print($1)" "$2"; }
assert_eq "False 3 1 2" "$(py 'd["success"], d["statistics"]["evaluated_expectations"], d["statistics"]["successful_expectations"], d["statistics"]["unsuccessful_expectations"]' "$LAST_OUT" | tr -d '(),')" \
  "--json has GX's success and statistics"
assert_eq "4 1 ['gold'] 25.0" "$(py 'd["results"][0]["result"]["element_count"], d["results"][0]["result"]["unexpected_count"], d["results"][0]["result"]["partial_unexpected_list"], d["results"][0]["result"]["unexpected_percent"]' "$LAST_OUT" | tr -d '(),')" \
  "--json has GX's per-expectation result"

# Reports: their folder is made; SOURCE_DATE_EPOCH fixes the validation time, so a re-run
# writes the same bytes (a pipeline stage's report keeps its hash).
SOURCE_DATE_EPOCH=1700000000 expect_exit 1 lo validate data.csv --suite bad.yaml --report out/a/r1.html
SOURCE_DATE_EPOCH=1700000000 expect_exit 1 lo validate data.csv --suite bad.yaml --report out/a/r2.html
assert_same_file out/a/r1.html out/a/r2.html "SOURCE_DATE_EPOCH: identical reports"
assert_contains "$(cat out/a/r1.html)" "2023-11-14T22:13:20" "the report carries SOURCE_DATE_EPOCH's time"
SOURCE_DATE_EPOCH=soon expect_exit 2 lo validate data.csv --suite good.json
assert_contains "$LAST_ERR" "SOURCE_DATE_EPOCH must be a number of seconds" "a bad SOURCE_DATE_EPOCH is named"

# Declared types win over inference.
expect_exit 1 lo validate data.csv --suite good.json --type age:string
assert_contains "$LAST_OUT" "could not be evaluated" "a string column can't be compared with numbers"
expect_exit 2 lo validate data.csv --suite good.json --type age:decimal

# Bad suites and bad data: exit 3, one line naming the problem.
printf '{"expectation_suite_name": "x", "expectations": [{"expectation_type": "expect_magic", "kwargs": {}}]}' >unknown.json
expect_exit 3 lo validate data.csv --suite unknown.json
assert_contains "$LAST_ERR" "unknown.json: expectations[0]: unknown expectation type 'expect_magic' (accepted: " \
  "an unknown expectation lists the accepted ones"
printf '{"expectation_suite_name": "x", "expectations": [{"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"colum": "id"}}]}' >typo.json
expect_exit 3 lo validate data.csv --suite typo.json
assert_contains "$LAST_ERR" "unknown kwarg 'colum' (accepted: column, mostly" "a wrong kwarg lists the accepted ones"
expect_exit 3 lo validate data.csv --suite missing.json
printf 'id,age\n1,2\n3,4,5\n' >ragged.csv
expect_exit 3 lo validate ragged.csv --suite good.json
assert_contains "$LAST_ERR" "ragged.csv:3:" "a ragged row is an error naming file and line"

finish
