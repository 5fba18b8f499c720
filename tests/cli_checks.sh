# Check helpers shared by the CLI tests (tests/cli_test.sh and
# tests/kafka/cli_kafka_test.sh), sourced by them. Each check counts one
# pass or prints one "FAIL name: why" line; `finish` prints the totals and
# returns non-zero if any check failed. The checks read OUT, ERR and RC as
# the sourcing script's `run` sets them.

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1: $2"
}
finish() {
  echo "$passed passed, $failed failed"
  [[ "$failed" -eq 0 ]]
}

expect_rc() {  # NAME WANT
  if [[ "$RC" -eq "$2" ]]; then pass; else
    fail "$1" "exit status $RC, want $2 (stderr: $ERR)"
  fi
}
expect_eq() {  # NAME GOT WANT
  if [[ "$2" == "$3" ]]; then pass; else
    fail "$1" "got [$2], want [$3]"
  fi
}
expect_contains() {  # NAME HAYSTACK NEEDLE
  if [[ "$2" == *"$3"* ]]; then pass; else
    fail "$1" "[$2] does not contain [$3]"
  fi
}
expect_not_contains() {  # NAME HAYSTACK NEEDLE
  if [[ "$2" != *"$3"* ]]; then pass; else
    fail "$1" "[$2] contains [$3]"
  fi
}
# A line of OUT equal to WANT.
expect_line() {  # NAME WANT
  if printf '%s\n' "$OUT" | grep -qxF -- "$2"; then pass; else
    fail "$1" "no line [$2] in [$OUT]"
  fi
}
# An error is exactly one stderr line starting with "brook: error:".
expect_error_line() {  # NAME
  local lines
  lines=$(printf '%s\n' "$ERR" | wc -l)
  if [[ "$ERR" == "brook: error: "* && "$lines" -eq 1 ]]; then pass; else
    fail "$1" "stderr is not one 'brook: error:' line: [$ERR]"
  fi
}
# Runs a python3 check over a file of JSON lines; prints its complaint.
check_json() {  # NAME FILE PYTHON_CODE (records in `recs`)
  local msg
  if msg=$(python3 -c "
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8') if l.strip()]
$3
" "$2" 2>&1); then pass; else
    fail "$1" "$msg"
  fi
}
