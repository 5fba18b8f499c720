#!/usr/bin/env bash
# End-to-end test of the brook command-line tool: topics, produce, consume
# (JSON output, --max, groups), groups (list, describe, reset-offsets,
# delete), partition, help, usage and runtime errors,
# and a second process finding the data directory in use while a follower
# holds it. Run by ctest as `cli_test`; needs bash and python3 (for reading
# JSON output).
#
#   tests/cli_test.sh path/to/brook
#
# Prints one line per failed check and "N passed, M failed" last; exits 1 if
# any check failed.
set -u

BROOK=${1:?usage: cli_test.sh path/to/brook}
tmp=$(mktemp -d)
data=$tmp/data
follower=""
cleanup() {
  if [[ -n "$follower" ]] && kill -0 "$follower" 2>/dev/null; then
    kill -KILL "$follower" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

source "$(dirname "${BASH_SOURCE[0]}")/cli_checks.sh"

# run [ARGS...]: runs brook with stdin from $STDIN (empty by default) and
# sets OUT, ERR and RC.
STDIN=""
run() {
  OUT=$(printf '%s' "$STDIN" | "$BROOK" "$@" 2>"$tmp/stderr")
  RC=$?
  ERR=$(cat "$tmp/stderr")
  STDIN=""
}

# --- help -------------------------------------------------------------------
run --help
expect_rc "help exit" 0
for cmd in topics groups produce consume partition; do
  expect_contains "help lists $cmd" "$OUT" "$cmd"
done
run topics --help
expect_rc "topics help exit" 0
expect_contains "topics help" "$OUT" "--partitions"
run produce --help
expect_rc "produce help exit" 0
for flag in --key-separator --partition --acks --header; do
  expect_contains "produce help $flag" "$OUT" "$flag"
done
run consume --help
expect_rc "consume help exit" 0
for flag in --from-beginning --partition --offset --max --timeout-ms --group \
  --format; do
  expect_contains "consume help $flag" "$OUT" "$flag"
done
run groups --help
expect_rc "groups help exit" 0
for flag in --topic --to-earliest --to-latest --to-datetime --to-offset \
  --shift-by --execute; do
  expect_contains "groups help $flag" "$OUT" "$flag"
done
run partition --help
expect_rc "partition help exit" 0
expect_contains "partition help" "$OUT" "--key-hex"

# --- where a command runs: --data or --bootstrap-server ----------------------
run topics list
expect_rc "no target" 2
expect_contains "no target message" "$ERR" "--data DIR or --bootstrap-server"
run --data "$data" --bootstrap-server 127.0.0.1:9 topics list
expect_rc "both targets" 2
expect_contains "both targets message" "$ERR" "not both"
run topics list --data "$data" --bootstrap-server=127.0.0.1:9
expect_rc "both targets after the command" 2
run --bootstrap-server 127.0.0.1:9 salvage
expect_rc "salvage on a cluster" 2
expect_contains "salvage on a cluster message" "$ERR" "local data directory"
expect_error_line "salvage on a cluster line"
run --help
expect_contains "help names --bootstrap-server" "$OUT" "--bootstrap-server"

# --- topics -----------------------------------------------------------------
run --data "$data" topics create orders --partitions 3 \
  --config retention.ms=1000 --config min.compaction.lag.ms=5
expect_rc "create orders" 0
run --data "$data" topics create audit --partitions 1
expect_rc "create audit" 0
run --data "$data" topics list
expect_rc "list" 0
expect_eq "list output" "$OUT" $'audit\norders'
run --data "$data" topics describe orders
expect_rc "describe" 0
expect_contains "describe name" "$OUT" "Topic: orders"
expect_contains "describe count" "$OUT" "PartitionCount: 3"
expect_contains "describe config" "$OUT" "retention.ms=1000"
expect_contains "describe config 2" "$OUT" "min.compaction.lag.ms=5"
rows=$(printf '%s\n' "$OUT" | grep -cE '^ *[0-9]+ +0 +0 +0$')
expect_eq "describe partition rows" "$rows" 3
run --data "$data" topics create orders --partitions 1
expect_rc "create existing" 1
expect_error_line "create existing message"
# Without --partitions: num.partitions, as kafka-topics.sh.
run --data "$data" topics create dflt
expect_rc "create with the default partition count" 0
expect_eq "default partition count" "$OUT" "Created topic dflt with 1 partition."
run --data "$data" topics delete dflt
expect_rc "delete dflt" 0
run --data "$data" topics create my_orders --partitions 1
expect_rc "create my_orders" 0
run --data "$data" topics create my.orders --partitions 1
expect_rc "colliding name" 1
expect_contains "colliding name message" "$ERR" \
  "Topic 'my.orders' collides with existing topic: my_orders"
run --data "$data" topics delete my_orders
expect_rc "delete my_orders" 0

# --- bad input: runtime errors (1) ------------------------------------------
run --data "$data" topics create 'bad name!' --partitions 1
expect_rc "invalid topic name" 1
expect_error_line "invalid topic name message"
run --data "$data" topics describe nope
expect_rc "describe unknown topic" 1
expect_error_line "describe unknown topic message"
expect_contains "unknown topic names it" "$ERR" "nope"
run --data "$data" consume nope --timeout-ms 100
expect_rc "consume unknown topic" 1
expect_error_line "consume unknown topic message"
STDIN=$'x\n'
run --data "$data" produce nope
expect_rc "produce unknown topic" 1
expect_error_line "produce unknown topic message"
run --data "$data" consume orders --partition 7 --timeout-ms 100
expect_rc "consume unknown partition" 1
run --data "$data" topics create cfg --partitions 1 --config no.such=1
expect_rc "unknown topic config" 1
expect_contains "unknown topic config names it" "$ERR" "no.such"
# Topic configs stay strict (as Kafka's broker), unlike client configs.
run --data "$data" topics create cfg --partitions 1 --config retention.mss=1000
expect_rc "misspelled topic config" 1
expect_contains "misspelled topic config names it" "$ERR" "retention.mss"
run --data "$data" topics alter orders --config retention.mss=1000
expect_rc "misspelled topic config in alter" 1
expect_contains "misspelled alter config names it" "$ERR" "retention.mss"

# --- bad input: usage errors (2) --------------------------------------------
run --data "$data" topics create x --partitions abc
expect_rc "non-numeric partitions" 2
expect_error_line "non-numeric partitions message"
run --data "$data" topics create
expect_rc "missing topic name" 2
run --data "$data" consume orders --bogus
expect_rc "unknown flag" 2
expect_error_line "unknown flag message"
run --data "$data" consume orders --max
expect_rc "flag without value" 2
run --data "$data" consume orders --offset 3
expect_rc "--offset without --partition" 2
run --data "$data" produce orders --acks 2
expect_rc "bad --acks" 2
run topics list
expect_rc "missing --data" 2
run frobnicate
expect_rc "unknown command" 2
run
expect_rc "no command" 2

# --- produce and consume ----------------------------------------------------
# Keys and their partitions out of 3 come from the conformance sample
# (murmur2 vectors "21", "foobar", "a-little-bit-long-string", "kafka").
STDIN=$'kafka:v1\nfoobar:v2\na-little-bit-long-string:v3\n21:v4\nkafka:v5\nno key here\nk:a:b\n'
run --data "$data" produce orders --key-separator : --header src=cli
expect_rc "produce" 0
expect_eq "produce prints nothing" "$OUT" ""
run --data "$data" consume orders --from-beginning --format json \
  --timeout-ms 500
expect_rc "consume all" 0
printf '%s\n' "$OUT" >"$tmp/all.json"
check_json "consume all records" "$tmp/all.json" '
want = {("kafka", "v1"), ("foobar", "v2"), ("a-little-bit-long-string", "v3"),
        ("21", "v4"), ("kafka", "v5"), (None, "no key here"), ("k", "a:b")}
got = [(r["key"], r["value"]) for r in recs]
assert len(got) == 7 and set(got) == want, "records %r" % got
expected_partition = {"kafka": 1, "foobar": 0, "a-little-bit-long-string": 2,
                      "21": 0, "k": None}
for r in recs:
    assert r["topic"] == "orders", r
    assert r["headers"] == [{"key": "src", "value": "cli"}], r
    assert isinstance(r["timestamp"], int) and r["timestamp"] > 0, r
    want_p = expected_partition.get(r["key"])
    assert want_p is None or r["partition"] == want_p, "key %r in %d" % (r["key"], r["partition"])
by_partition = {}
for r in recs:
    by_partition.setdefault(r["partition"], []).append(r["offset"])
for p, offsets in by_partition.items():
    assert offsets == list(range(len(offsets))), "partition %d offsets %r" % (p, offsets)
v = [r["value"] for r in recs if r["key"] == "kafka"]
assert v == ["v1", "v5"], "same-key order %r" % v
'
run --data "$data" topics describe orders
ends=$(printf '%s\n' "$OUT" | awk '$1 ~ /^[0-9]+$/ {s += $3} END {print s}')
expect_eq "log end offsets sum" "$ends" 7

run --data "$data" consume orders --from-beginning --max 2 --timeout-ms 500
expect_rc "consume --max" 0
expect_eq "consume --max count" "$(printf '%s\n' "$OUT" | wc -l)" 2

run --data "$data" consume orders --partition 2 --offset 0 --max 1 \
  --timeout-ms 500
expect_rc "consume --partition --offset" 0
expect_eq "text format prints the value" "$OUT" "v3"

run --data "$data" consume orders --timeout-ms 200
expect_rc "consume latest" 0
expect_eq "latest sees no old records" "$OUT" ""

# JSON escaping: quotes, backslash, control characters, UTF-8 and a byte
# that is not UTF-8.
printf 'q"b\\s\tc\001\303\251\377\n' >"$tmp/odd.txt"
"$BROOK" --data "$data" produce audit <"$tmp/odd.txt"
RC=$?
expect_rc "produce odd bytes" 0
run --data "$data" consume audit --from-beginning --format json --timeout-ms 300
expect_contains "json escaping" "$OUT" \
  '"value":"q\"b\\s\u0009c\u0001é\u00ff"'
expect_contains "json null key" "$OUT" '"key":null'

# --- groups -----------------------------------------------------------------
run --data "$data" consume orders --from-beginning --group g1 --max 4 \
  --format json --timeout-ms 500
expect_rc "group first run" 0
printf '%s\n' "$OUT" >"$tmp/g1a.json"
run --data "$data" consume orders --from-beginning --group g1 \
  --format json --timeout-ms 500
expect_rc "group second run" 0
printf '%s\n' "$OUT" >"$tmp/g1b.json"
check_json "group runs split the records" "$tmp/g1a.json" '
second = [json.loads(l) for l in open(sys.argv[1].replace("g1a", "g1b")) if l.strip()]
assert len(recs) == 4, "first run got %d records" % len(recs)
assert len(second) == 3, "second run got %d records" % len(second)
a = {(r["partition"], r["offset"]) for r in recs}
b = {(r["partition"], r["offset"]) for r in second}
assert not (a & b), "records seen twice: %r" % sorted(a & b)
assert len(a | b) == 7, "records missed"
for p in {x for x, _ in b}:
    first_max = max([o for q, o in a if q == p], default=-1)
    assert min(o for q, o in b if q == p) == first_max + 1, "partition %d gap" % p
'
run --data "$data" consume orders --from-beginning --group g1 --timeout-ms 300
expect_rc "group third run" 0
expect_eq "group fully committed" "$OUT" ""

# --- groups administration --------------------------------------------------
# g1 has committed all 7 records of orders (3 partitions) and no members.
lag_sum() { printf '%s\n' "$OUT" | awk '$1 == "g1" {s += $6} END {print s + 0}'; }
new_offsets() { printf '%s\n' "$OUT" | awk '$1 == "g1" {printf "%s ", $5}'; }
run --data "$data" groups list
expect_rc "groups list" 0
expect_eq "groups list output" "$OUT" "g1"
run --data "$data" groups describe g1
expect_rc "groups describe" 0
expect_contains "describe says no members" "$OUT" \
  "Consumer group 'g1' has no active members."
header='^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$'
expect_eq "describe header" "$(printf '%s\n' "$OUT" | grep -cE "$header")" 1
rows=$(printf '%s\n' "$OUT" | grep -cE '^g1 +orders +[0-2] +[0-9]+ +[0-9]+ +0 +- +- +-$')
expect_eq "describe rows" "$rows" 3
expect_eq "describe lag" "$(lag_sum)" 0
run --data "$data" groups describe nope
expect_rc "describe unknown group" 1
expect_error_line "describe unknown group message"

run --data "$data" groups reset-offsets g1 --topic orders --to-earliest
expect_rc "reset dry run" 0
expect_contains "reset dry run says so" "$OUT" "Dry run"
expect_eq "reset dry run plan" "$(new_offsets)" "0 0 0 "
run --data "$data" groups describe g1
expect_eq "dry run changed nothing" "$(lag_sum)" 0
run --data "$data" groups reset-offsets g1 --topic orders --to-earliest \
  --execute
expect_rc "reset to earliest" 0
run --data "$data" groups describe g1
expect_eq "lag after reset to earliest" "$(lag_sum)" 7
run --data "$data" consume orders --group g1 --timeout-ms 500
expect_eq "group rereads after reset" "$(printf '%s\n' "$OUT" | wc -l)" 7
run --data "$data" groups reset-offsets g1 --topic orders --shift-by -1 \
  --execute
expect_rc "reset shift-by" 0
run --data "$data" groups describe g1
expect_eq "lag after shift-by -1" "$(lag_sum)" 3
run --data "$data" groups reset-offsets g1 --topic orders --to-offset 1 \
  --execute
expect_rc "reset to-offset" 0
expect_eq "to-offset plan" "$(new_offsets)" "1 1 1 "
run --data "$data" groups reset-offsets g1 --topic orders \
  --to-datetime 2000-01-01T00:00:00.000
expect_rc "reset to-datetime past" 0
expect_eq "to-datetime past plan" "$(new_offsets)" "0 0 0 "
run --data "$data" groups reset-offsets g1 --topic orders \
  --to-datetime 2999-01-01T00:00:00Z
expect_rc "reset to-datetime future" 0
run --data "$data" topics describe orders
ends=$(printf '%s\n' "$OUT" | awk '$1 ~ /^[0-9]+$/ {printf "%s ", $3}')
run --data "$data" groups reset-offsets g1 --topic orders \
  --to-datetime 2999-01-01T00:00:00Z
expect_eq "to-datetime future is the log end" "$(new_offsets)" "$ends"
run --data "$data" groups reset-offsets g1 --topic orders --to-latest \
  --execute
expect_rc "reset to latest" 0
run --data "$data" groups describe g1
expect_eq "lag after reset to latest" "$(lag_sum)" 0
# Bad reset command lines.
run --data "$data" groups reset-offsets g1 --topic orders
expect_rc "reset without spec" 2
run --data "$data" groups reset-offsets g1 --topic orders --to-earliest \
  --to-latest
expect_rc "reset with two specs" 2
run --data "$data" groups reset-offsets g1 --to-earliest
expect_rc "reset without --topic" 2
run --data "$data" groups reset-offsets g1 --topic orders --to-datetime x
expect_rc "reset bad datetime" 2
expect_error_line "reset bad datetime message"
run --data "$data" groups reset-offsets g1 --topic nope --to-earliest
expect_rc "reset unknown topic" 1
expect_error_line "reset unknown topic message"
run --data "$data" groups describe g1 --execute
expect_rc "describe with reset flag" 2
run --data "$data" groups frob
expect_rc "unknown groups subcommand" 2
expect_contains "unknown groups subcommand message" "$ERR" 'unknown groups subcommand "frob"'
run --data "$data" groups
expect_rc "groups without subcommand" 2
expect_contains "groups without subcommand message" "$ERR" \
  "needs a subcommand: list, describe, reset-offsets or delete"
run --data "$data" groups describe
expect_rc "groups describe without group" 2
expect_contains "groups describe without group message" "$ERR" "takes one group id"
run --data "$data" topics list extra
expect_rc "topics list with an argument" 2
expect_contains "topics list with an argument message" "$ERR" "takes no arguments"

run --data "$data" groups delete g1
expect_rc "groups delete" 0
run --data "$data" groups list
expect_eq "groups list after delete" "$OUT" ""
run --data "$data" groups delete g1
expect_rc "groups delete missing" 1
expect_contains "groups delete missing message" "$ERR" "group g1 does not exist"

# --- partition --------------------------------------------------------------
# Expected values from the conformance sample's murmur2 vectors.
partition_case() {  # PARTITIONS FLAG VALUE WANT
  run partition --partitions "$1" "$2" "$3"
  expect_rc "partition $2 '$3' / $1" 0
  expect_eq "partition $2 '$3' / $1" "$OUT" "$4"
}
partition_case 3 --key kafka 1
partition_case 16 --key 21 12
partition_case 10 --key foobar 6
partition_case 2147483647 --key-hex "" 275646681
partition_case 7 --key "" 2
partition_case 1000 --key-hex ff 963
partition_case 16 --key-hex 0c2a38186d6f 15
partition_case 1000 --key-hex c3a974c3a9 73
run partition --partitions 3 --key-hex zz
expect_rc "partition bad hex" 2
run partition --partitions 3 --key a --key-hex 61
expect_rc "partition both keys" 2
run partition --partitions 0 --key a
expect_rc "partition zero partitions" 2

# --- reading commands create and change nothing ----------------------------
dir_state() {  # every file's name, size, mtime and checksum
  (cd "$data" && find . -type f -printf '%p %s %T@\n' | sort &&
    find . -type f -exec md5sum {} + | sort)
}
before=$(dir_state)
run --data "$data" topics list
run --data "$data" topics describe orders
run --data "$data" groups list
run --data "$data" groups describe g1
run --data "$data" groups reset-offsets g1 --topic orders --to-earliest
run --data "$data" consume orders --from-beginning --timeout-ms 200
expect_rc "reading commands ran" 0
expect_eq "reading commands changed nothing" "$(dir_state)" "$before"
for cmd in "topics list" "topics describe orders" "groups list" \
    "groups describe g1" "consume orders --timeout-ms 100"; do
  # shellcheck disable=SC2086  # the command's words
  run --data "$tmp/typo" $cmd
  expect_rc "mistyped --data: $cmd" 1
  expect_error_line "mistyped --data message: $cmd"
  expect_contains "mistyped --data names it: $cmd" "$ERR" "does not exist"
done
if [[ -e "$tmp/typo" ]]; then
  fail "mistyped --data" "a reading command created $tmp/typo"
else pass; fi

# --- directory in use, and stopping a follower with signals -----------------
# Monitor mode gives the background follower default SIGINT handling
# (non-interactive bash starts background jobs with SIGINT ignored).
start_follower() {  # GROUP [FLAGS...]
  local group=$1
  shift
  set -m
  "$BROOK" --data "$data" consume orders --group "$group" "$@" \
    >"$tmp/follow.out" 2>"$tmp/follow.err" &
  follower=$!
  set +m
}
# Waits until another command sees the directory in use; restarts the
# follower if our own probe happened to hold the directory as it started.
wait_until_held() {  # GROUP [FLAGS...]
  for _ in $(seq 100); do
    if ! kill -0 "$follower" 2>/dev/null; then
      wait "$follower" 2>/dev/null
      start_follower "$@"
    fi
    # A write with no effect when the directory is free (deleting a group
    # that has no offsets fails with "does not exist"); refused as "in use"
    # while the follower holds it.
    run --data "$data" groups delete probe-group
    [[ "$ERR" == *"in use"* ]] && return 0
    sleep 0.1
  done
  return 1
}
# Sends SIGNAL and waits (up to 10 s) for the follower's exit status.
stop_follower() {  # SIGNAL
  kill -"$1" "$follower"
  for _ in $(seq 100); do
    kill -0 "$follower" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$follower" 2>/dev/null; then
    kill -KILL "$follower"
    wait "$follower" 2>/dev/null
    RC=124
  else
    wait "$follower"
    RC=$?
  fi
  follower=""
  ERR=$(cat "$tmp/follow.err")
}

# The follower reads from the beginning, so once it printed every record it
# has joined its group and owns every partition: only then is it stopped.
run --data "$data" consume orders --from-beginning --timeout-ms 300
existing=$OUT
start_follower follow --from-beginning
if wait_until_held follow --from-beginning; then pass; else
  fail "directory held" "the follower never held the data directory"
fi
expect_rc "directory in use exit" 1
expect_error_line "directory in use message"
expect_contains "directory in use says so" "$ERR" "in use"
expect_contains "directory in use names the command" "$ERR" "'brook groups delete'"
STDIN=$'late:1\n'
run --data "$data" produce orders --key-separator :
expect_rc "produce while in use" 1
run --data "$data" topics create other --partitions 1
expect_rc "topics create while in use" 1
expect_contains "topics create while in use says so" "$ERR" "in use"
for _ in $(seq 100); do
  [[ "$(cat "$tmp/follow.out")" == "$existing" ]] && break
  sleep 0.1
done
expect_eq "follower printed everything" "$(cat "$tmp/follow.out")" "$existing"
# consume without a group writes nothing: it reads through a read-only open.
run --data "$data" consume orders --from-beginning --timeout-ms 300
expect_rc "consume while in use" 0
expect_eq "consume while in use reads everything" "$(sort <<<"$OUT")" \
  "$(sort <<<"$existing")"
run --data "$data" consume orders --group other --timeout-ms 300
expect_rc "consume --group while in use" 1
expect_contains "consume --group while in use says so" "$ERR" "in use"
expect_contains "consume --group while in use names it" "$ERR" "consume --group"
# Reading commands open the directory read-only while it is held.
run --data "$data" topics list
expect_rc "topics list while in use" 0
expect_eq "topics list while in use output" "$OUT" $'audit\norders'
run --data "$data" topics describe orders
expect_rc "topics describe while in use" 0
run --data "$data" groups list
expect_rc "groups list while in use" 0
expect_contains "groups list while in use output" "$OUT" "follow"
# The follower has read and committed everything: its live lag is 0.
# (A commit may trail the printing by a moment: look again until it shows.)
for _ in $(seq 100); do
  run --data "$data" groups describe follow
  lags=$(printf '%s\n' "$OUT" |
    awk '$1 == "follow" && $2 == "orders" {print $6}' | sort -u)
  [[ "$RC" -eq 0 && "$lags" == "0" ]] && break
  sleep 0.1
done
expect_rc "groups describe while in use" 0
expect_contains "groups describe while in use says why" "$OUT" "open in another process"
expect_eq "groups describe while in use shows live lag" "$lags" "0"
expect_contains "groups describe while in use shows the member" "$OUT" "consumer-"
run --data "$data" groups reset-offsets follow --topic orders --to-earliest
expect_rc "reset-offsets dry run of a live group" 1
expect_contains "reset-offsets dry run of a live group says why" "$ERR" "active member"
run --data "$data" groups reset-offsets idle --topic orders --to-earliest
expect_rc "reset-offsets dry run of an idle group while in use" 0
run --data "$data" groups reset-offsets idle --topic orders --to-earliest --execute
expect_rc "reset-offsets --execute while in use" 1
stop_follower INT
expect_rc "follower exits 0 on SIGINT" 0
expect_eq "follower stderr" "$ERR" ""
# The follower committed the log end at exit, so the group sees exactly what
# was produced after it stopped.
STDIN=$'after:1\n'
run --data "$data" produce orders --key-separator :
expect_rc "produce after follower" 0
run --data "$data" consume orders --group follow --timeout-ms 300
expect_eq "follower group committed the end" "$OUT" "1"

start_follower follow2
wait_until_held follow2 || fail "directory held 2" "no follower"
stop_follower TERM
expect_rc "follower exits 0 on SIGTERM" 0

# --- delete -----------------------------------------------------------------
run --data "$data" topics delete audit
expect_rc "delete" 0
run --data "$data" topics list
expect_eq "list after delete" "$OUT" "orders"
run --data "$data" topics delete audit
expect_rc "delete missing" 1
expect_error_line "delete missing message"

# --- retention and delete-records ---------------------------------------------
ret=$tmp/retention
run --data "$ret" topics create r --partitions 1 --config retention.ms=1
expect_rc "create with retention" 0
STDIN=$'a\nb\nc\n'
run --data "$ret" produce r
expect_rc "produce to a retention topic" 0
sleep 0.05  # retention.ms=1: every batch expires.
run --data "$ret" topics clean r
expect_rc "clean" 0
expect_contains "clean header" "$OUT" "RECORDS-REMOVED"
expect_eq "clean removes all three records" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "r" {print $3, $5}')" "3 3"
run --data "$ret" topics clean
expect_eq "a second clean finds nothing" "$OUT" "Nothing to remove."
run --data "$ret" topics describe r
expect_contains "describe shows the size column" "$OUT" "SizeBytes"
expect_eq "describe shows the moved log start" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "0" {print $2, $3}')" "3 3"
run --data "$ret" topics clean nosuch
expect_rc "clean of an unknown topic" 1
expect_error_line "clean unknown message"
run --data "$ret" topics alter r --config retention.ms=86400000 \
  --delete-config cleanup.policy --config retention.bytes=1048576
expect_rc "alter" 0
expect_contains "alter says so" "$OUT" "Updated the configuration of topic r"
run --data "$ret" topics describe r
expect_contains "alter applied" "$OUT" "retention.ms=86400000"
expect_contains "alter applied 2" "$OUT" "retention.bytes=1048576"
run --data "$ret" topics alter r --config retention.ms=soon
expect_rc "alter with a bad value" 1
expect_contains "bad value named" "$ERR" "retention.ms"
run --data "$ret" topics alter r
expect_rc "alter without a change" 2
run --data "$ret" topics alter r --partitions 4
expect_rc "alter --partitions" 0
expect_contains "alter --partitions warns" "$ERR" \
  "WARNING: If partitions are increased for a topic that has a key"
expect_contains "alter --partitions says so" "$OUT" "Topic r now has 4 partitions."
run --data "$ret" topics describe r
expect_contains "describe shows the new count" "$OUT" "PartitionCount: 4"
expect_eq "the old partition keeps its offsets" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "0" {print $2, $3}')" "3 3"
expect_eq "a new partition starts empty" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "3" {print $2, $3}')" "0 0"
run --data "$ret" topics alter r --partitions 4
expect_rc "alter to the same count" 1
expect_contains "same count message" "$ERR" "Topic already has 4 partitions."
run --data "$ret" topics alter r --partitions 2
expect_rc "alter to fewer partitions" 1
expect_contains "fewer message" "$ERR" "which is higher than the requested 2"
# --- compaction ---------------------------------------------------------------
run --data "$ret" topics create kv --partitions 1 --config cleanup.policy=compact
STDIN=$'a:1\nb:2\na:3\nb:4\n'
run --data "$ret" produce kv --key-separator : --acks all
expect_rc "produce to a compacted topic" 0
# A later batch: a partition's last batch is never compacted.
STDIN=$'c:5\n'
run --data "$ret" produce kv --key-separator :
STDIN=$'no key\n'
run --data "$ret" produce kv
expect_rc "a keyless record to a compacted topic" 1
expect_contains "keyless refused" "$ERR" "without a key"
run --data "$ret" topics clean kv
expect_rc "clean compacts" 0
expect_eq "clean reports the compacted records" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "kv" {print $3, $5}')" "2 0"
run --data "$ret" consume kv --from-beginning --timeout-ms 500 --format json
expect_eq "the latest value of each key remains" \
  "$(printf '%s\n' "$OUT" | python3 -c '
import json, sys
print(" ".join(str(json.loads(l)["offset"]) for l in sys.stdin))')" "2 3 4"
run --data "$ret" topics describe r --delete-config retention.ms
expect_rc "--delete-config outside alter" 2
run --data "$ret" topics create d --partitions 2
STDIN=$'1\n2\n3\n4\n'
run --data "$ret" produce d --partition 0
run --data "$ret" delete-records --topic d --partition 0 --offset 2
expect_rc "delete-records" 0
expect_contains "delete-records reports the low watermark" "$OUT" \
  $'partition: d-0\tlow_watermark: 2'
printf '%s' '{"partitions":[{"topic":"d","partition":0,"offset":-1},
  {"topic":"d","partition":1,"offset":0}],"version":1}' > "$tmp/del.json"
run --data "$ret" delete-records --offset-json-file "$tmp/del.json"
expect_rc "delete-records from a JSON file" 0
expect_contains "JSON delete to the end" "$OUT" $'d-0\tlow_watermark: 4'
run --data "$ret" delete-records --topic d --partition 0 --offset 9
expect_rc "delete-records beyond the end" 1
expect_contains "beyond the end is out of range" "$ERR" "out of range"
run --data "$ret" delete-records --topic d --partition 0
expect_rc "delete-records without --offset" 2

# --- damage and salvage -------------------------------------------------------
dmg=$tmp/damaged
run --data "$dmg" topics create d --partitions 2
STDIN=$'a:1\nb:2\nc:3\nd:4\n'
run --data "$dmg" produce d --key-separator : --acks all
expect_rc "produce before damage" 0
rm -f "$dmg"/*.log
run --data "$dmg" topics describe d
expect_rc "describe a damaged directory" 1
expect_error_line "damage message"
expect_contains "damage names the loss" "$ERR" "acknowledged record"
expect_contains "damage points to salvage" "$ERR" "salvage"
run --data "$dmg" salvage
expect_rc "salvage" 0
expect_contains "salvage header" "$OUT" "FIRST-LOST"
expect_eq "salvage lists the lost records" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "d" {s += $5} END {print s + 0}')" 4
run --data "$dmg" topics describe d
expect_rc "describe after salvage" 0
run --data "$dmg" salvage
expect_contains "second salvage finds nothing" "$OUT" "Nothing acknowledged"
run --data "$tmp/nowhere" salvage
expect_rc "salvage of a missing directory" 1

finish
