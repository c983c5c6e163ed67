#!/usr/bin/env bash
# The server's share of the ledger's cost, without the JVM: pgbench (a C client) runs TPC-B the
# way the driver sends it (BEGIN pipelined with the first statement), then the same with the
# driver's extra statements — the BEGIN values in front of the first statement, the ledger call
# and the LSN query pipelined with COMMIT — with each way of recording the commit:
#   plain          TPC-B alone
#   statements     the extra statements with `SELECT 1` for the ledger call
#   record_commit  lsem.record_commit: database-clock mode (advisory lock, setval, row)
#   append_commit  lsem.append_commit: shared-oracle mode (the row only)
#   v3_indexes     the row into a copy of the version-3 table (plus the hash index on xid::xid)
#   xid_index_only the row into a table with one index (on xid): what the indexes cost
#   emit_message   pg_logical_emit_message(true, ...) instead of a row (WAL only; not built: reading
#                  it back needs a logical replication slot)
# Interleaved runs; tps and the server's CPU per transaction (postmaster and all its children,
# from /proc, so run the server on this machine).
#
# Needs pgbench and psql (PostgreSQL 15 client), a server named by the usual PG* variables
# (PGHOST=… PGPORT=… PGUSER=…) and its data directory in PGDATA (for postmaster.pid); creates
# pgbench tables, the lsem schema and a scratch schema lsem_bench in $PGDATABASE.
#   bench/pgbench/ledger-cost.sh [clients=8] [seconds=6] [runs=3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
clients=${1:-8}; seconds=${2:-6}; runs=${3:-3}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
: "${PGDATA:?set PGDATA to the data directory of the server}"
"$bin/pgbench" -i -q -s "$clients" >/dev/null 2>&1
PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -q -v ON_ERROR_STOP=1 -1 \
  -f "$here/../../driver/src/main/resources/io/lsem/jdbc/ledger/lsem-ledger.sql" >/dev/null
PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE SCHEMA IF NOT EXISTS lsem_bench;
-- time-ordered ids like the driver's (version 7 UUIDs)
CREATE OR REPLACE FUNCTION lsem_bench.uuid7() RETURNS uuid LANGUAGE sql AS
$$ SELECT (lpad(to_hex((extract(epoch from clock_timestamp())*1000000)::bigint), 16, '0')
           || substr(md5(random()::text), 1, 16))::uuid $$;
DROP TABLE IF EXISTS lsem_bench.v3_log, lsem_bench.one_log;
CREATE TABLE lsem_bench.v3_log (LIKE lsem.commit_log INCLUDING ALL);
CREATE INDEX ON lsem_bench.v3_log USING hash ((xid::xid));
CREATE TABLE lsem_bench.one_log (LIKE lsem.commit_log);
CREATE INDEX ON lsem_bench.one_log (xid);
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['v3_log', 'one_log'] LOOP
    EXECUTE format($f$
      CREATE OR REPLACE FUNCTION lsem_bench.%1$s(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int)
      RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $b$
      DECLARE x xid8 := pg_current_xact_id_if_assigned();
      BEGIN
        IF x IS NULL THEN RETURN NULL; END IF;
        IF p_attempts < 1 OR p_commit <= p_start THEN RAISE EXCEPTION 'bad' USING ERRCODE = '22023'; END IF;
        INSERT INTO lsem_bench.%1$s (txn_id, xid, start_ts, commit_ts, attempts) VALUES (p_txn, x, p_start, p_commit, p_attempts);
        RETURN p_commit;
      END $b$ $f$, t);
  END LOOP;
END $$;
SQL
scripts=$(mktemp -d)
trap 'rm -rf "$scripts"' EXIT
cp "$here/tpcb.sql" "$scripts/plain.sql"
sed 's/gen_random_uuid()/lsem_bench.uuid7()/' "$here/tpcb-ledger.sql" > "$scripts/record_commit.sql"
sed 's/SELECT lsem\.record_commit(.*);/SELECT 1;/' "$scripts/record_commit.sql" > "$scripts/statements.sql"
sed 's/lsem\.record_commit(/lsem.append_commit(/' "$scripts/record_commit.sql" > "$scripts/append_commit.sql"
sed 's/lsem\.record_commit(/lsem_bench.v3_log(/' "$scripts/record_commit.sql" > "$scripts/v3_indexes.sql"
sed 's/lsem\.record_commit(/lsem_bench.one_log(/' "$scripts/record_commit.sql" > "$scripts/xid_index_only.sql"
sed "s/SELECT lsem\.record_commit(.*);/SELECT pg_logical_emit_message(true, 'lsem', lsem_bench.uuid7()::text || ' ' || :ts);/" \
  "$scripts/record_commit.sql" > "$scripts/emit_message.sql"
cpu_ticks() { # postmaster (own + reaped children) + live children
  local pm t c
  pm=$(head -1 "$PGDATA/postmaster.pid")
  t=$(awk '{print $14+$15+$16+$17}' "/proc/$pm/stat")
  for c in $(pgrep -P "$pm"); do t=$((t + $(awk '{print $14+$15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
hz=$(getconf CLK_TCK)
for run in $(seq "$runs"); do
  for v in plain statements record_commit append_commit v3_indexes xid_index_only emit_message; do
    c0=$(cpu_ticks)
    out=$("$bin/pgbench" -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$scripts/$v.sql" 2>&1)
    while [ "$(pgrep -P "$(head -1 "$PGDATA/postmaster.pid")" | wc -l)" -gt 8 ]; do sleep 0.05; done # backends reaped
    c1=$(cpu_ticks)
    tx=$(echo "$out" | awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}')
    tps=$(echo "$out" | awk '/^tps =/ {print int($3)}')
    echo "run $run  $v  $tps tps  $(( (c1 - c0) * 1000000 / hz / tx )) us server CPU per transaction"
  done
done
