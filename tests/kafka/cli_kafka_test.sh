#!/usr/bin/env bash
# End-to-end test of the brook command-line tool against a Kafka broker
# (--bootstrap-server): topics, produce, consume, groups and delete-records
# with the same flags as tests/cli_test.sh runs against a data directory,
# checking the same output (names one per line, the describe block and its
# partition table, consumed lines and JSON records, kafka-consumer-groups.sh's
# columns, exit status 0/1/2 and one "brook: error:" line per failure), plus
# what differs by nature on a cluster (sizes print "-", 'topics clean' and
# 'salvage' are refused as usage errors, members of a live group).
# Run by ctest as `cli_kafka_test` (label kafka, fixture kafka_broker);
# needs bash and python3.
#
#   tests/kafka/cli_kafka_test.sh path/to/brook
#
# The broker: $BROOK_KAFKA_BOOTSTRAP when set, else the first line of
# $BROOK_KAFKA_FIXTURE_DIR/bootstrap (tests/kafka/broker_env.h). Topic and
# group names are unique per run, so the broker may be shared and reused.
# Prints one line per failed check and "N passed, M failed" last; exits 1 if
# any check failed.
set -u

BROOK=${1:?usage: cli_kafka_test.sh path/to/brook}
bootstrap=${BROOK_KAFKA_BOOTSTRAP:-}
if [[ -z "$bootstrap" ]]; then
  if [[ -z "${BROOK_KAFKA_FIXTURE_DIR:-}" ]]; then
    echo "no Kafka broker: run through ctest (ctest -L kafka starts one) or" \
      "export BROOK_KAFKA_BOOTSTRAP=HOST:PORT" >&2
    exit 1
  fi
  bootstrap=$(head -n 1 "$BROOK_KAFKA_FIXTURE_DIR/bootstrap" 2>/dev/null)
  if [[ -z "$bootstrap" ]]; then
    echo "no Kafka broker: $BROOK_KAFKA_FIXTURE_DIR/bootstrap is missing" \
      "(see the output of ctest -R kafka_broker_start)" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d)
follower=""
cleanup() {
  if [[ -n "$follower" ]] && kill -0 "$follower" 2>/dev/null; then
    kill -KILL "$follower" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# Unique names for this run: the broker outlives it.
id="cli$(date +%s)x$$"
orders="${id}-orders"
audit="${id}-audit"
dflt="${id}-dflt"
r="${id}-r"
kv="${id}-kv"
d="${id}-d"
g1="${id}-g1"
follow="${id}-follow"

# --timeout-ms for reads that expect records: cli_test.sh uses 500 ms; here
# longer, as through the Kafka backend one partition's first records
# sometimes arrive ~600 ms after the other partitions' (a fetch round the
# broker holds), which a 500 ms idle timeout would cut off.
IDLE=2000

source "$(dirname "${BASH_SOURCE[0]}")/../cli_checks.sh"

# run [ARGS...]: runs brook on the broker with stdin from $STDIN (empty by
# default) and sets OUT, ERR and RC.
STDIN=""
run() {
  OUT=$(printf '%s' "$STDIN" |
    "$BROOK" --bootstrap-server "$bootstrap" "$@" 2>"$tmp/stderr")
  RC=$?
  ERR=$(cat "$tmp/stderr")
  STDIN=""
}
# run_plain [ARGS...]: as run, without --bootstrap-server.
run_plain() {
  OUT=$("$BROOK" "$@" 2>"$tmp/stderr" </dev/null)
  RC=$?
  ERR=$(cat "$tmp/stderr")
}

# --- help says what differs on a cluster ------------------------------------
run_plain --help
expect_contains "help names --bootstrap-server" "$OUT" "--bootstrap-server"
run_plain topics --help
expect_contains "topics help: sizes on a cluster" "$OUT" "Kafka cluster"
run_plain groups --help
expect_contains "groups help: HOST" "$OUT" "HOST"
expect_contains "groups help: a cluster" "$OUT" "Kafka cluster"

# --- the broker cannot be reached: an error, not a hang ---------------------
start=$(date +%s)
run_plain --bootstrap-server 127.0.0.1:9 topics list
expect_rc "unreachable broker" 1
expect_error_line "unreachable broker message"
if (($(date +%s) - start <= 120)); then pass; else
  fail "unreachable broker" "took $(($(date +%s) - start)) s"
fi

# --- topics -----------------------------------------------------------------
# retention.ms long enough that the broker keeps every record of the run.
run topics create "$orders" --partitions 3 \
  --config retention.ms=86400000 --config min.compaction.lag.ms=5
expect_rc "create orders" 0
expect_eq "create orders output" "$OUT" "Created topic $orders with 3 partitions."
run topics create "$audit" --partitions 1
expect_rc "create audit" 0
run topics list
expect_rc "list" 0
# The broker holds other runs' topics too: ours are there, one per line, and
# the whole list is sorted.
expect_line "list has orders" "$orders"
expect_line "list has audit" "$audit"
expect_eq "list is sorted" "$OUT" "$(printf '%s\n' "$OUT" | LC_ALL=C sort)"
expect_not_contains "list hides internal topics" "$OUT" "__consumer_offsets"
run topics describe "$orders"
expect_rc "describe" 0
expect_contains "describe name" "$OUT" "Topic: $orders"
expect_contains "describe count" "$OUT" "PartitionCount: 3"
expect_contains "describe config" "$OUT" "retention.ms=86400000"
expect_contains "describe config 2" "$OUT" "min.compaction.lag.ms=5"
expect_contains "describe header" "$OUT" "SizeBytes"
# A cluster does not report sizes: "-" in the SizeBytes column.
rows=$(printf '%s\n' "$OUT" | grep -cE '^ *[0-9]+ +0 +0 +-$')
expect_eq "describe partition rows" "$rows" 3
run topics create "$orders" --partitions 1
expect_rc "create existing" 1
expect_error_line "create existing message"
# Without --partitions: the broker's num.partitions (1 on the test broker).
run topics create "$dflt"
expect_rc "create with the default partition count" 0
expect_eq "default partition count" "$OUT" "Created topic $dflt with 1 partition."
run topics delete "$dflt"
expect_rc "delete dflt" 0
expect_eq "delete output" "$OUT" "Deleted topic $dflt."
run topics create "${id}-my_orders" --partitions 1
expect_rc "create my_orders" 0
run topics create "${id}-my.orders" --partitions 1
expect_rc "colliding name" 1
expect_error_line "colliding name message"
expect_contains "colliding name message says so" "$ERR" "collides"
run topics delete "${id}-my_orders"
expect_rc "delete my_orders" 0

# --- bad input: runtime errors (1) ------------------------------------------
run topics create 'bad name!' --partitions 1
expect_rc "invalid topic name" 1
expect_error_line "invalid topic name message"
run topics describe "${id}-nope"
expect_rc "describe unknown topic" 1
expect_error_line "describe unknown topic message"
expect_contains "unknown topic names it" "$ERR" "${id}-nope"
run consume "${id}-nope" --timeout-ms 100
expect_rc "consume unknown topic" 1
expect_error_line "consume unknown topic message"
STDIN=$'x\n'
run produce "${id}-nope"
expect_rc "produce unknown topic" 1
expect_error_line "produce unknown topic message"
run consume "$orders" --partition 7 --timeout-ms 100
expect_rc "consume unknown partition" 1
expect_error_line "consume unknown partition message"
STDIN=$'x\n'
run produce "$orders" --partition 7
expect_rc "produce to an unknown partition" 1
expect_error_line "produce to an unknown partition message"
run topics create "${id}-cfg" --partitions 1 --config no.such=1
expect_rc "unknown topic config" 1
expect_contains "unknown topic config names it" "$ERR" "no.such"
run topics create "${id}-cfg" --partitions 1 --config retention.mss=1000
expect_rc "misspelled topic config" 1
expect_contains "misspelled topic config names it" "$ERR" "retention.mss"
run topics alter "$orders" --config retention.mss=1000
expect_rc "misspelled topic config in alter" 1
expect_contains "misspelled alter config names it" "$ERR" "retention.mss"
run topics list
expect_not_contains "no topic from a refused create" "$OUT" "${id}-cfg"

# --- bad input: usage errors (2), before the broker is asked ----------------
run topics create x --partitions abc
expect_rc "non-numeric partitions" 2
expect_error_line "non-numeric partitions message"
run topics create
expect_rc "missing topic name" 2
run consume "$orders" --bogus
expect_rc "unknown flag" 2
expect_error_line "unknown flag message"
run consume "$orders" --max
expect_rc "flag without value" 2
run consume "$orders" --offset 3
expect_rc "--offset without --partition" 2
run produce "$orders" --acks 2
expect_rc "bad --acks" 2
run groups frob
expect_rc "unknown groups subcommand" 2
expect_contains "unknown groups subcommand message" "$ERR" 'unknown groups subcommand "frob"'
run topics list extra
expect_rc "topics list with an argument" 2
# Embedded-only commands: usage errors that say why.
run salvage
expect_rc "salvage on a cluster" 2
expect_error_line "salvage on a cluster message"
expect_contains "salvage on a cluster says why" "$ERR" "local data directory"
run topics clean "$orders"
expect_rc "topics clean on a cluster" 2
expect_error_line "topics clean on a cluster message"
expect_contains "topics clean on a cluster says why" "$ERR" "Kafka cluster"
run topics clean
expect_rc "topics clean of every topic on a cluster" 2

# --- produce and consume ----------------------------------------------------
# Keys and their partitions out of 3 come from the conformance sample
# (murmur2 vectors), as in cli_test.sh: a cluster partitions keys as the
# data directory does.
STDIN=$'kafka:v1\nfoobar:v2\na-little-bit-long-string:v3\n21:v4\nkafka:v5\nno key here\nk:a:b\n'
run produce "$orders" --key-separator : --header src=cli
expect_rc "produce" 0
expect_eq "produce prints nothing" "$OUT" ""
run consume "$orders" --from-beginning --format json --timeout-ms "$IDLE"
expect_rc "consume all" 0
printf '%s\n' "$OUT" >"$tmp/all.json"
check_json "consume all records" "$tmp/all.json" "
topic = '$orders'
"'
want = {("kafka", "v1"), ("foobar", "v2"), ("a-little-bit-long-string", "v3"),
        ("21", "v4"), ("kafka", "v5"), (None, "no key here"), ("k", "a:b")}
got = [(r["key"], r["value"]) for r in recs]
assert len(got) == 7 and set(got) == want, "records %r" % got
expected_partition = {"kafka": 1, "foobar": 0, "a-little-bit-long-string": 2,
                      "21": 0, "k": None}
for r in recs:
    assert r["topic"] == topic, r
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
run topics describe "$orders"
ends=$(printf '%s\n' "$OUT" | awk '$1 ~ /^[0-9]+$/ {s += $3} END {print s}')
expect_eq "log end offsets sum" "$ends" 7

run consume "$orders" --from-beginning --max 2 --timeout-ms "$IDLE"
expect_rc "consume --max" 0
expect_eq "consume --max count" "$(printf '%s\n' "$OUT" | wc -l)" 2

run consume "$orders" --partition 2 --offset 0 --max 1 --timeout-ms "$IDLE"
expect_rc "consume --partition --offset" 0
expect_eq "text format prints the value" "$OUT" "v3"
run consume "$orders" --partition 0 --offset 1 --max 1 --timeout-ms "$IDLE"
expect_rc "consume from an offset" 0
expect_eq "consume from offset 1 of partition 0" "$OUT" "v4"
run consume "$orders" --partition 1 --offset latest --timeout-ms 200
expect_rc "consume --offset latest" 0
expect_eq "--offset latest sees no old records" "$OUT" ""

run consume "$orders" --timeout-ms 200
expect_rc "consume latest" 0
expect_eq "latest sees no old records" "$OUT" ""

# Acks: each level gets its records written.
for acks in 0 1 all -1; do
  STDIN="acks-$acks"$'\n'
  run produce "$audit" --acks "$acks"
  expect_rc "produce --acks $acks" 0
done
run consume "$audit" --from-beginning --timeout-ms "$IDLE"
expect_rc "consume the acks records" 0
expect_eq "every acks level was written" "$OUT" \
  $'acks-0\nacks-1\nacks-all\nacks--1'

# --partition: every record to one partition, after its last record.
run topics describe "$orders"
end1=$(printf '%s\n' "$OUT" | awk '$1 == "1" {print $3}')
STDIN=$'p1\np2\n'
run produce "$orders" --partition 1
expect_rc "produce --partition" 0
run consume "$orders" --partition 1 --offset "$end1" --format json \
  --timeout-ms "$IDLE"
printf '%s\n' "$OUT" >"$tmp/p1.json"
check_json "produce --partition" "$tmp/p1.json" "
end1 = $end1
"'
got = [(r["partition"], r["offset"], r["key"], r["value"]) for r in recs]
assert got == [(1, end1, None, "p1"), (1, end1 + 1, None, "p2")], got
'

# JSON escaping: quotes, backslash, control characters, UTF-8 and a byte
# that is not UTF-8.
printf 'q"b\\s\tc\001\303\251\377\n' >"$tmp/odd.txt"
"$BROOK" --bootstrap-server "$bootstrap" produce "$audit" <"$tmp/odd.txt"
RC=$?
expect_rc "produce odd bytes" 0
run consume "$audit" --partition 0 --offset 4 --format json --timeout-ms "$IDLE"
expect_contains "json escaping" "$OUT" \
  '"value":"q\"b\\s\u0009c\u0001é\u00ff"'
expect_contains "json null key" "$OUT" '"key":null'
run consume "$audit" --partition 0 --offset 4 --format text --timeout-ms "$IDLE"
expect_eq "text format copies the bytes" "$OUT" "$(cat "$tmp/odd.txt")"
run consume "$audit" --format xml --timeout-ms 100
expect_rc "bad --format" 2

# --- groups -----------------------------------------------------------------
# orders now holds 9 records: 7 keyed/unkeyed above and 2 in partition 1.
run consume "$orders" --from-beginning --group "$g1" --max 4 \
  --format json --timeout-ms "$IDLE"
expect_rc "group first run" 0
printf '%s\n' "$OUT" >"$tmp/g1a.json"
run consume "$orders" --from-beginning --group "$g1" \
  --format json --timeout-ms "$IDLE"
expect_rc "group second run" 0
printf '%s\n' "$OUT" >"$tmp/g1b.json"
check_json "group runs split the records" "$tmp/g1a.json" '
second = [json.loads(l) for l in open(sys.argv[1].replace("g1a", "g1b")) if l.strip()]
assert len(recs) == 4, "first run got %d records" % len(recs)
assert len(second) == 5, "second run got %d records" % len(second)
a = {(r["partition"], r["offset"]) for r in recs}
b = {(r["partition"], r["offset"]) for r in second}
assert not (a & b), "records seen twice: %r" % sorted(a & b)
assert len(a | b) == 9, "records missed"
for p in {x for x, _ in b}:
    first_max = max([o for q, o in a if q == p], default=-1)
    assert min(o for q, o in b if q == p) == first_max + 1, "partition %d gap" % p
'
run consume "$orders" --from-beginning --group "$g1" --timeout-ms 300
expect_rc "group third run" 0
expect_eq "group fully committed" "$OUT" ""

# --- groups administration --------------------------------------------------
# g1 has committed all 9 records of orders (3 partitions) and no members.
lag_sum() { printf '%s\n' "$OUT" | awk -v g="$g1" '$1 == g {s += $6} END {print s + 0}'; }
new_offsets() { printf '%s\n' "$OUT" | awk -v g="$g1" '$1 == g {printf "%s ", $5}'; }
run groups list
expect_rc "groups list" 0
expect_line "groups list has g1" "$g1"
expect_eq "groups list is sorted" "$OUT" "$(printf '%s\n' "$OUT" | LC_ALL=C sort)"
run groups describe "$g1"
expect_rc "groups describe" 0
expect_contains "describe says no members" "$OUT" \
  "Consumer group '$g1' has no active members."
header='^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$'
expect_eq "describe header" "$(printf '%s\n' "$OUT" | grep -cE "$header")" 1
rows=$(printf '%s\n' "$OUT" | grep -cE "^$g1 +$orders +[0-2] +[0-9]+ +[0-9]+ +0 +- +- +-\$")
expect_eq "describe rows" "$rows" 3
expect_eq "describe lag" "$(lag_sum)" 0
run groups describe "${id}-nope"
expect_rc "describe unknown group" 1
expect_error_line "describe unknown group message"

run groups reset-offsets "$g1" --topic "$orders" --to-earliest
expect_rc "reset dry run" 0
expect_contains "reset dry run says so" "$OUT" "Dry run"
expect_eq "reset dry run plan" "$(new_offsets)" "0 0 0 "
run groups describe "$g1"
expect_eq "dry run changed nothing" "$(lag_sum)" 0
run groups reset-offsets "$g1" --topic "$orders" --to-earliest --execute
expect_rc "reset to earliest" 0
expect_not_contains "reset --execute is no dry run" "$OUT" "Dry run"
run groups describe "$g1"
expect_eq "lag after reset to earliest" "$(lag_sum)" 9
run consume "$orders" --group "$g1" --timeout-ms "$IDLE"
expect_eq "group rereads after reset" "$(printf '%s\n' "$OUT" | wc -l)" 9
run groups reset-offsets "$g1" --topic "$orders" --shift-by -1 --execute
expect_rc "reset shift-by" 0
run groups describe "$g1"
expect_eq "lag after shift-by -1" "$(lag_sum)" 3
run groups reset-offsets "$g1" --topic "$orders" --to-offset 1 --execute
expect_rc "reset to-offset" 0
expect_eq "to-offset plan" "$(new_offsets)" "1 1 1 "
run groups reset-offsets "$g1" --topic "$orders" \
  --to-datetime 2000-01-01T00:00:00.000
expect_rc "reset to-datetime past" 0
expect_eq "to-datetime past plan" "$(new_offsets)" "0 0 0 "
run topics describe "$orders"
ends=$(printf '%s\n' "$OUT" | awk '$1 ~ /^[0-9]+$/ {printf "%s ", $3}')
run groups reset-offsets "$g1" --topic "$orders" \
  --to-datetime 2999-01-01T00:00:00Z
expect_rc "reset to-datetime future" 0
expect_eq "to-datetime future is the log end" "$(new_offsets)" "$ends"
run groups reset-offsets "$g1" --topic "$orders" --to-latest --execute
expect_rc "reset to latest" 0
run groups describe "$g1"
expect_eq "lag after reset to latest" "$(lag_sum)" 0
# Bad reset command lines.
run groups reset-offsets "$g1" --topic "$orders"
expect_rc "reset without spec" 2
run groups reset-offsets "$g1" --topic "$orders" --to-earliest --to-latest
expect_rc "reset with two specs" 2
run groups reset-offsets "$g1" --to-earliest
expect_rc "reset without --topic" 2
run groups reset-offsets "$g1" --topic "$orders" --to-datetime x
expect_rc "reset bad datetime" 2
expect_error_line "reset bad datetime message"
run groups reset-offsets "$g1" --topic "${id}-nope" --to-earliest
expect_rc "reset unknown topic" 1
expect_error_line "reset unknown topic message"

# --- a live member: describe shows it, reset and delete refuse, signals ----
start_follower() {  # GROUP [FLAGS...]
  local group=$1
  shift
  set -m
  "$BROOK" --bootstrap-server "$bootstrap" consume "$orders" --group "$group" \
    "$@" >"$tmp/follow.out" 2>"$tmp/follow.err" &
  follower=$!
  set +m
}
stop_follower() {  # SIGNAL
  kill -"$1" "$follower"
  for _ in $(seq 300); do
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
# Partitions interleave in the order their fetches return: compare sorted.
run consume "$orders" --from-beginning --timeout-ms "$IDLE"
existing=$(sort <<<"$OUT")
start_follower "$follow" --from-beginning
for _ in $(seq 300); do
  [[ "$(sort "$tmp/follow.out" 2>/dev/null)" == "$existing" ]] && break
  sleep 0.1
done
expect_eq "follower printed everything" "$(sort "$tmp/follow.out")" "$existing"
# The follower has printed and committed everything: its lag is 0 and it
# owns every partition. (A commit may trail the printing: look again.)
for _ in $(seq 100); do
  run groups describe "$follow"
  lags=$(printf '%s\n' "$OUT" |
    awk -v g="$follow" -v t="$orders" '$1 == g && $2 == t {print $6}' | sort -u)
  [[ "$RC" -eq 0 && "$lags" == "0" ]] && break
  sleep 0.1
done
expect_rc "groups describe of a live group" 0
expect_eq "groups describe of a live group shows lag 0" "$lags" "0"
expect_not_contains "a live group is not called idle" "$OUT" "no active members"
expect_not_contains "a cluster is no data directory" "$OUT" "data directory"
expect_eq "live describe header" "$(printf '%s\n' "$OUT" | grep -cE "$header")" 1
# Every partition assigned to the one member: a member id, a HOST
# (librdkafka's "/ADDRESS") and the client id.
member_rows=$(printf '%s\n' "$OUT" |
  grep -cE "^$follow +$orders +[0-2] +[0-9]+ +[0-9]+ +0 +[^ -][^ ]* +/[^ ]+ +[^ -][^ ]*\$")
expect_eq "live describe rows name the member and its HOST" "$member_rows" 3
run groups list
expect_line "groups list shows the live group" "$follow"
run groups reset-offsets "$follow" --topic "$orders" --to-earliest --execute
expect_rc "reset-offsets of a live group" 1
expect_error_line "reset-offsets of a live group message"
run groups delete "$follow"
expect_rc "delete of a live group" 1
expect_error_line "delete of a live group message"
stop_follower INT
expect_rc "follower exits 0 on SIGINT" 0
expect_eq "follower stderr" "$ERR" ""
# The follower committed the log end at exit, so the group sees exactly what
# was produced after it stopped.
STDIN=$'after:1\n'
run produce "$orders" --key-separator :
expect_rc "produce after follower" 0
run consume "$orders" --group "$follow" --timeout-ms "$IDLE"
expect_eq "follower group committed the end" "$OUT" "1"

start_follower "${follow}2"
sleep 2
stop_follower TERM
expect_rc "follower exits 0 on SIGTERM" 0

run groups delete "$g1"
expect_rc "groups delete" 0
expect_contains "groups delete output" "$OUT" "Deletion of requested consumer groups ('$g1') was successful."
run groups list
expect_not_contains "groups list after delete" "$OUT" "$g1"$'\n'
run groups describe "$g1"
expect_rc "describe of a deleted group" 1
run groups delete "$g1"
expect_rc "groups delete missing" 1
expect_error_line "groups delete missing message"
expect_contains "groups delete missing message" "$ERR" "group $g1 does not exist"
run groups delete "$follow"
expect_rc "groups delete follow" 0
run groups delete "${follow}2"
expect_rc "groups delete follow2" 0

# --- alter ------------------------------------------------------------------
run topics create "$r" --partitions 1
expect_rc "create r" 0
STDIN=$'a\nb\nc\n'
run produce "$r"
expect_rc "produce to r" 0
run topics alter "$r" --config retention.ms=86400000 \
  --config retention.bytes=1048576
expect_rc "alter" 0
expect_contains "alter says so" "$OUT" "Updated the configuration of topic $r"
run topics describe "$r"
expect_contains "alter applied" "$OUT" "retention.ms=86400000"
expect_contains "alter applied 2" "$OUT" "retention.bytes=1048576"
run topics alter "$r" --delete-config retention.bytes
expect_rc "alter --delete-config" 0
run topics describe "$r"
expect_contains "--delete-config keeps the rest" "$OUT" "retention.ms=86400000"
expect_not_contains "--delete-config applied" "$OUT" "retention.bytes=1048576"
run topics alter "$r" --config retention.ms=soon
expect_rc "alter with a bad value" 1
expect_contains "bad value named" "$ERR" "retention.ms"
run topics alter "$r"
expect_rc "alter without a change" 2
run topics alter "$r" --partitions 4
expect_rc "alter --partitions" 0
expect_contains "alter --partitions warns" "$ERR" \
  "WARNING: If partitions are increased for a topic that has a key"
expect_contains "alter --partitions says so" "$OUT" "Topic $r now has 4 partitions."
run topics describe "$r"
expect_contains "describe shows the new count" "$OUT" "PartitionCount: 4"
expect_eq "the old partition keeps its offsets" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "0" {print $2, $3}')" "0 3"
expect_eq "a new partition starts empty" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "3" {print $2, $3}')" "0 0"
# The broker's words: "Topic already has 4 partition(s).", "... currently
# has 4 partition(s); 2 would not be an increase." (a data directory says
# "4 partitions." and "... which is higher than the requested 2").
run topics alter "$r" --partitions 4
expect_rc "alter to the same count" 1
expect_contains "same count message" "$ERR" "already has 4 partition"
run topics alter "$r" --partitions 2
expect_rc "alter to fewer partitions" 1
expect_contains "fewer message" "$ERR" "has 4 partition"
# After kafka-topics.sh's warning, one error line.
run topics alter "${id}-nope" --partitions 2
expect_rc "alter of an unknown topic" 1
expect_eq "alter of an unknown topic message" \
  "$(printf '%s\n' "$ERR" | grep -c '^brook: error: ')" 1
run topics describe "$r" --delete-config retention.ms
expect_rc "--delete-config outside alter" 2

# --- compacted topic: a keyless record is refused ---------------------------
run topics create "$kv" --partitions 1 --config cleanup.policy=compact
expect_rc "create a compacted topic" 0
STDIN=$'a:1\nb:2\na:3\n'
run produce "$kv" --key-separator : --acks all
expect_rc "produce to a compacted topic" 0
STDIN=$'no key\n'
run produce "$kv"
expect_rc "a keyless record to a compacted topic" 1
expect_error_line "keyless refused message"

# --- delete-records ---------------------------------------------------------
run topics create "$d" --partitions 2
STDIN=$'1\n2\n3\n4\n'
run produce "$d" --partition 0
expect_rc "produce d" 0
run delete-records --topic "$d" --partition 0 --offset 2
expect_rc "delete-records" 0
expect_contains "delete-records reports the low watermark" "$OUT" \
  $'partition: '"$d"$'-0\tlow_watermark: 2'
run consume "$d" --partition 0 --offset earliest --timeout-ms "$IDLE"
expect_eq "records below the watermark are gone" "$OUT" $'3\n4'
printf '%s' '{"partitions":[{"topic":"'"$d"'","partition":0,"offset":-1},
  {"topic":"'"$d"'","partition":1,"offset":0}],"version":1}' >"$tmp/del.json"
run delete-records --offset-json-file "$tmp/del.json"
expect_rc "delete-records from a JSON file" 0
expect_contains "JSON delete to the end" "$OUT" "$d"$'-0\tlow_watermark: 4'
expect_contains "JSON delete of partition 1" "$OUT" "$d"$'-1\tlow_watermark: 0'
run topics describe "$d"
expect_eq "describe shows the moved log start" \
  "$(printf '%s\n' "$OUT" | awk '$1 == "0" {print $2, $3}')" "4 4"
run delete-records --topic "$d" --partition 0 --offset 9
expect_rc "delete-records beyond the end" 1
expect_error_line "delete-records beyond the end message"
expect_contains "beyond the end is out of range" "$ERR" "out of range"
run delete-records --topic "${id}-nope" --partition 0 --offset 0
expect_rc "delete-records of an unknown topic" 1
expect_error_line "delete-records of an unknown topic message"
run delete-records --topic "$d" --partition 0
expect_rc "delete-records without --offset" 2

# --- delete -----------------------------------------------------------------
for t in "$audit" "$r" "$kv" "$d"; do
  run topics delete "$t"
  expect_rc "delete $t" 0
done
run topics list
expect_not_contains "list after delete" "$OUT" "$audit"
expect_line "orders remains" "$orders"
run topics delete "$audit"
expect_rc "delete missing" 1
expect_error_line "delete missing message"
run topics delete "$orders"
expect_rc "delete orders" 0

finish
