\set aid random(1, 100000 * :scale)
\set bid random(1, 1 * :scale)
\set tid random(1, 10 * :scale)
\set delta random(-5000, 5000)
\set ts random(1000000000, 2000000000)
\startpipeline
BEGIN;
SELECT set_config('lsem.txn_id', :ts::text, true), set_config('lsem.start_ts', :ts::text, true);
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
\endpipeline
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
\startpipeline
SELECT 1;
END;
SELECT pg_current_wal_insert_lsn()::text;
\endpipeline
