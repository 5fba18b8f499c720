#include "usage.h"

namespace brook {
namespace cli {

absl::string_view MainHelp() {
  return R"(Usage: brook [--data DIR | --bootstrap-server HOST:PORT] COMMAND [ARGS...]

Kafka-style topics, producers and consumers stored in a local data directory
(RocksDB), without a broker; or, with the same flags and output, on a Kafka
cluster.

Commands:
  topics      create, list, describe, alter (the configuration of), delete
              and clean (apply retention to) topics
  delete-records
              move partitions' log start offsets forward, deleting the
              records below them
  groups      list, describe, reset the offsets of and delete consumer groups
  produce     send one record per stdin line to a topic
  consume     print records of a topic
  partition   print the partition Kafka's default partitioner picks for a key
  salvage     open a damaged data directory with what remains, listing what
              was lost
  assign      print what one of Kafka's assignors gives a group (JSON in/out)

Global flags:
  --data DIR  the data directory. Required by topics, groups, produce,
              consume, delete-records and salvage; it may also be given
              after the command.
              Commands that write create it when missing. Reading commands
              (topics list|describe, groups list|describe, a reset-offsets
              dry run, consume without --group) open it read-only: they
              create and change nothing, and also read while another process
              holds the directory; the others then refuse.
  --bootstrap-server HOST:PORT[,HOST:PORT...]
              run topics, groups, produce, consume and delete-records on
              a Kafka cluster instead (Kafka's bootstrap.servers), with the
              same flags and output; also accepted after the command.
              What a cluster cannot do the same way is said in each
              command's help ('topics clean' and 'salvage' need a data
              directory).
  --help, -h  show this help; 'brook COMMAND --help' shows a command's help.

Exit status: 0 on success, 1 when the operation fails, 2 for a malformed
command line. Errors are reported as one line on stderr:
"brook: error: ...".
)";
}

absl::string_view TopicsHelp() {
  return R"(Usage:
  brook --data DIR topics create NAME [--partitions N] [--config KEY=VALUE]...
  brook --data DIR topics list
  brook --data DIR topics describe NAME
  brook --data DIR topics alter NAME [--partitions N] [--config KEY=VALUE]...
                               [--delete-config KEY]...
  brook --data DIR topics delete NAME
  brook --data DIR topics clean [NAME]
  brook --bootstrap-server HOST:PORT topics ...   (the same, on a cluster)

create    creates topic NAME. Topic names use Kafka's rules: 1 to 249 ASCII
          letters, digits, '.', '_' or '-', and not "." or "..". A name
          that differs from an existing topic's only by '.' against '_'
          collides with it (as in Kafka).
  --partitions N       number of partitions, 1 to 1000000. Default:
                       num.partitions (1).
  --config KEY=VALUE   a topic configuration by its Kafka name; repeatable.
                       Known: cleanup.policy, compression.type,
                       delete.retention.ms, max.compaction.lag.ms,
                       max.message.bytes, message.timestamp.after.max.ms,
                       message.timestamp.before.max.ms,
                       message.timestamp.type, min.cleanable.dirty.ratio,
                       min.compaction.lag.ms, retention.bytes, retention.ms,
                       segment.bytes, segment.index.bytes, segment.ms.
list      prints every topic name, one per line, sorted.
describe  prints the topic's partition count, its configuration and, per
          partition, the log start offset (first offset still stored), the
          log end offset (next offset to be written) and the bytes the
          partition takes on disk (the storage's estimate).
alter     --partitions N grows topic NAME to N partitions (more than it
          has; existing records and offsets stay; keyed records may map to
          other partitions from then on, as the warning printed says;
          subscribed groups rebalance at their next metadata refresh).
          Each --config sets a value, each --delete-config KEY puts a
          setting back to its default; checked as a whole, applied at once,
          kept across restarts. A shorter retention applies at the next
          check (or at once with 'topics clean'); a compression.type to data
          written from then on.
delete    deletes topic NAME, its records and its committed offsets.
clean     applies retention (retention.ms, retention.bytes; cleanup.policy
          delete) and compaction (cleanup.policy compact) to topic NAME, or
          to every topic, now rather than at the next periodic check,
          returns the space to the disk, and prints
          what it removed per partition: TOPIC PARTITION RECORDS-REMOVED
          BYTES-REMOVED LOG-START-OFFSET ("Nothing to remove." when
          nothing). Run it after lowering a retention to reclaim space at
          once.

Errors (exit 1): an invalid topic name, an existing topic (create), an
unknown topic (describe, alter, delete, clean), an unknown configuration or
value, a partition count not above the current one (alter).

On a Kafka cluster (--bootstrap-server) the output is the same, except:
describe prints "-" under SizeBytes (librdkafka 2.0.2 cannot ask a broker
for log sizes) and, under Configs, the cluster's values of the settings
listed above; create without --partitions takes the broker's
num.partitions and its default replication factor; the broker checks names
and configurations (its messages); clean is refused (exit 2): the broker
applies retention and compaction itself.
)";
}

absl::string_view GroupsHelp() {
  return R"(Usage:
  brook --data DIR groups list
  brook --data DIR groups describe GROUP
  brook --data DIR groups reset-offsets GROUP --topic TOPIC
        (--to-earliest | --to-latest | --to-datetime ISO8601 |
         --to-offset N | --shift-by N) [--execute]
  brook --data DIR groups delete GROUP
  brook --bootstrap-server HOST:PORT groups ...   (the same, on a cluster)

list           prints every group id that has active members or committed
               offsets, one per line, sorted.
describe       prints, as kafka-consumer-groups.sh --describe, one row per
               partition the group has committed or is assigned:
               GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG
               CONSUMER-ID HOST CLIENT-ID ("-" where unknown; LAG is the log end
               offset minus the committed offset). A group without active
               members is said so first.
reset-offsets  moves the group's committed offsets of every partition of
               TOPIC. Without --execute it only prints the plan
               (GROUP TOPIC PARTITION CURRENT-OFFSET NEW-OFFSET) and changes
               nothing. New offsets are clamped to the partition's log.
  --topic TOPIC        the topic whose offsets move (required).
  --to-earliest        the log start offset.
  --to-latest          the log end offset.
  --to-datetime T      the first offset whose record timestamp is at or
                       after T, e.g. 2026-01-01T12:00:00.000 (UTC unless a
                       zone is given: Z or +02:00); the log end if none.
  --to-offset N        offset N.
  --shift-by N         the committed offset plus N (N may be negative);
                       every partition needs a committed offset.
  --execute            apply the plan.
delete         deletes the group's committed offsets.

Errors (exit 1): reset-offsets and delete refuse a group with active
members (NonEmptyGroup); describe of a group that does not exist; an
unknown topic (reset-offsets).

On a data directory, members exist only while another process holds it
(HOST is "/localhost"), and describe says so first. On a Kafka cluster
(--bootstrap-server) members are the group's live consumers anywhere: HOST
is the address the broker saw ("/10.0.0.5"), describe prints the rows
without that note ("Warning: ... is rebalancing." while the group
rebalances), and list includes every group of the cluster.
)";
}

absl::string_view ProduceHelp() {
  return R"(Usage: brook --data DIR produce TOPIC [flags] < records
       brook --bootstrap-server HOST:PORT produce TOPIC [flags] < records

Sends one record per line of stdin to TOPIC. Lines end at '\n' (the '\n' is
not part of the record; any other byte, '\r' included, is kept). An empty
line is a record with an empty value. Records without a key and without
--partition are spread by Kafka's sticky partitioner; keyed records go to
murmur2(key) % partitions, as Kafka's default partitioner does.

Flags:
  --key-separator SEP  split each line at the first SEP into key and value;
                       a line without SEP is sent with a null key and the
                       whole line as its value. Without this flag every
                       record has a null key.
  --partition P        send every record to partition P.
  --acks 0|1|all       when a record counts as written: 0 = when queued,
                       1 = after the write-ahead log write (survives a crash
                       of this process), all (or -1) = after the write-ahead
                       log is fsynced (survives power loss). Default: all,
                       Kafka's producer default.
  --header KEY=VALUE   add this header to every record; repeatable.
                       On a Kafka cluster (--bootstrap-server) --acks has
                       Kafka's meaning: 0 = not waited for, 1 = the leader
                       wrote it, all = every in-sync replica has it.

Records are batched (linger.ms 5). The command exits 0 only after every
record has been acknowledged; if any send fails it prints one error line and
exits 1 (records acknowledged before the failure stay written). Ctrl-C
stops it at once; records read but not yet acknowledged may then be lost.
)";
}

absl::string_view ConsumeHelp() {
  return R"(Usage: brook --data DIR consume TOPIC [flags]
       brook --bootstrap-server HOST:PORT consume TOPIC [flags]

Prints records of TOPIC, from every partition unless --partition is given.

Where to start:
  --from-beginning   start at the log start offset when there is no committed
                     offset (auto.offset.reset=earliest). Without it, start
                     at the log end (latest): only new records are printed.
  --partition P      read only partition P.
  --offset O         start partition P at offset O (requires --partition;
                     "earliest" and "latest" are accepted too). An offset
                     outside the log falls back to auto.offset.reset.
  --group G          consumer group G (Kafka's group.id): join G as a member
                     (without --partition; the directory belongs to this
                     process, so it is the only member); start from G's
                     committed offsets where there are any; commit the
                     offsets of printed records after each batch and at exit
                     (a partition nothing was printed from keeps its start
                     position), so the next run with G continues where this
                     one stopped. With --partition the partition is
                     assigned, not subscribed, and G only holds offsets.
                     On a Kafka cluster (--bootstrap-server) G may have
                     other members, in other processes, which share the
                     topic's partitions with this one.

When to stop (without either flag, follow the topic until interrupted):
  --max N            exit after N records.
  --timeout-ms T     exit once no new record has arrived for T milliseconds,
                     counted from when the consumer has its partitions and
                     their start positions (with --group, after joining the
                     group: on a cluster a rebalance takes a few seconds).
Ctrl-C (SIGINT) or SIGTERM stops cleanly: offsets are committed (with
--group) and the exit status is 0.

Output:
  --format text      (default) the value of each record on its own line, as
                     kafka-console-consumer prints it; a null value prints
                     "null". Keys, offsets and headers are not shown.
  --format json      one JSON object per line:
                     {"topic":..,"partition":..,"offset":..,"timestamp":MS,
                      "key":STRING|null,"value":STRING|null,
                      "headers":[{"key":..,"value":STRING|null},...]}
                     timestamp is in milliseconds since the Unix epoch.
                     Strings are escaped per JSON: '"' and '\' with a
                     backslash, control characters as \u00XX. Valid UTF-8 is
                     copied as is; a byte that is not part of valid UTF-8 is
                     written as \u00XX with XX its value (so such bytes read
                     back as the Latin-1 character of that value).
)";
}

absl::string_view PartitionHelp() {
  return R"(Usage: brook partition --partitions N (--key TEXT | --key-hex HEX)

Prints the partition Kafka's default partitioner picks for a key:
(murmur2(key) & 0x7fffffff) % N, with Kafka's Utils.murmur2. Needs no data
directory.

Flags:
  --partitions N   number of partitions, 1 to 2147483647 (required).
  --key TEXT       the key's bytes are the bytes of TEXT (UTF-8 as given).
  --key-hex HEX    the key's bytes in hex, two digits per byte (lower or
                   upper case); may be empty for an empty key.
Exactly one of --key and --key-hex is required.
)";
}

absl::string_view DeleteRecordsHelp() {
  return R"(Usage:
  brook --data DIR delete-records --topic TOPIC --partition P --offset O
  brook --data DIR delete-records --offset-json-file FILE
  (or --bootstrap-server HOST:PORT in place of --data DIR: on a cluster)

Moves each partition's log start offset to the given offset, as Kafka's
kafka-delete-records.sh does: the records below it can no longer be read
and are deleted from the disk. Offset -1 means the partition's log end
(delete everything). An offset below the current log start changes nothing.
Prints each partition's log start offset after (its low watermark).

  --topic TOPIC, --partition P, --offset O   one partition.
  --offset-json-file FILE   several, in kafka-delete-records.sh's format:
        {"partitions": [{"topic": "t", "partition": 0, "offset": 5}],
         "version": 1}

Errors (exit 1): an unknown topic or partition, an offset beyond the log
end (OffsetOutOfRange). Every partition is checked before any is changed.
)";
}

absl::string_view SalvageHelp() {
  return R"(Usage: brook --data DIR salvage

Opens a data directory that a normal open refuses because acknowledged
records were lost to damage (a damaged or deleted write-ahead log), or
because its CURRENT file is lost or damaged, and keeps what remains:
CURRENT is rebuilt from the newest MANIFEST, a topic whose record was lost
gets it back (with the default configuration), and each damaged partition
continues after its last lost offset, so no lost offset is ever given to a
new record. Prints the lost records per partition:
  TOPIC PARTITION FIRST-LOST LAST-LOST RECORDS
Afterwards the directory opens normally. A directory with nothing lost is
left as it is.
)";
}

}  // namespace cli
}  // namespace brook
