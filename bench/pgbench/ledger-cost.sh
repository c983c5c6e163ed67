#!/usr/bin/env bash
# The server's share of the ledger's cost, without the JVM: pgbench (a C client) runs TPC-B the
# way the driver sends it (BEGIN pipelined with the first statement), then the same with the
# driver's three extra statements — the BEGIN values in front of the first statement, the ledger
# call and the LSN query pipelined with COMMIT — and with `SELECT 1` or an unlocked ledger call in
# place of the real one. Interleaved runs; tps per script.
#
# Needs pgbench and psql (PostgreSQL 15 client) and a server named by the usual PG* variables
# (PGHOST=127.0.0.1 PGPORT=… PGUSER=…); creates pgbench tables and the lsem schema in $PGDATABASE.
#   bench/pgbench/ledger-cost.sh [clients=8] [seconds=5] [runs=4]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
clients=${1:-8}; seconds=${2:-5}; runs=${3:-4}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
"$bin/pgbench" -i -q -s "$clients" >/dev/null 2>&1
PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -q -v ON_ERROR_STOP=1 -f "$here/../../driver/src/main/resources/io/lsem/jdbc/ledger/lsem-ledger.sql" >/dev/null
"$bin/psql" -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA IF NOT EXISTS lsem_bench;
-- The ledger call without its advisory-lock section (not safe across instances; for measuring only).
CREATE OR REPLACE FUNCTION lsem_bench.record_commit_unlocked(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE x xid8 := pg_current_xact_id_if_assigned();
BEGIN
  IF x IS NULL THEN RETURN NULL; END IF;
  INSERT INTO lsem.commit_log VALUES (p_txn, x, p_start, p_commit, p_attempts);
  RETURN p_commit;
END $$;
SQL
# The two variants differ from tpcb-ledger.sql only in the ledger call.
scripts=$(mktemp -d)
trap 'rm -rf "$scripts"' EXIT
cp "$here/tpcb.sql" "$here/tpcb-ledger.sql" "$scripts/"
sed 's/SELECT lsem\.record_commit(.*);/SELECT 1;/' "$here/tpcb-ledger.sql" > "$scripts/tpcb-statements.sql"
sed 's/lsem\.record_commit(/lsem_bench.record_commit_unlocked(/' "$here/tpcb-ledger.sql" > "$scripts/tpcb-ledger-unlocked.sql"
for run in $(seq "$runs"); do
  for script in tpcb tpcb-statements tpcb-ledger tpcb-ledger-unlocked; do
    tps=$("$bin/pgbench" -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$scripts/$script.sql" 2>&1 \
      | awk '/^tps =/ {print int($3)}')
    echo "run $run  $script  $tps tps"
  done
done
