-- LSEM JDBC commit ledger, version 1. Idempotent: running it again changes nothing.
-- Install by hand (as a role that may create schemas):  psql -d mydb -f lsem-ledger.sql

-- Concurrent first connections install it once (when the script runs as one transaction).
SELECT pg_advisory_xact_lock(1819501998);

CREATE SCHEMA IF NOT EXISTS lsem;

-- The highest commit timestamp issued in this database. A sequence, not a table: reading it takes
-- no SERIALIZABLE predicate lock, so committing writers never conflict through it.
CREATE SEQUENCE IF NOT EXISTS lsem.clock AS bigint MINVALUE 0 START WITH 0;

-- One row per committed transaction that wrote (read-only transactions write nothing).
CREATE TABLE IF NOT EXISTS lsem.commit_log (
  txn_id    uuid   PRIMARY KEY,  -- logical transaction id, the same across transparent retries
  xid       xid8   NOT NULL,     -- PostgreSQL's transaction id; xid8 mod 2^32 = the xmin of rows it wrote
  start_ts  bigint NOT NULL,     -- hybrid logical clock at BEGIN
  commit_ts bigint NOT NULL,     -- hybrid logical clock at COMMIT, above start_ts and every earlier commit_ts
  attempts  int    NOT NULL      -- runs of the transaction (1 + transparent retries)
);
CREATE INDEX IF NOT EXISTS commit_log_commit_ts ON lsem.commit_log (commit_ts);
CREATE INDEX IF NOT EXISTS commit_log_xmin ON lsem.commit_log USING hash ((xid::xid));

CREATE OR REPLACE FUNCTION lsem.ledger_version() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$;

-- Called by the driver in the COMMIT message. For a transaction that wrote, raises the commit
-- timestamp above every commit timestamp issued before in this database (a short critical
-- section on an advisory lock, released at once), records the ledger row, and returns the
-- timestamp; for a read-only transaction returns NULL and assigns no xid.
CREATE OR REPLACE FUNCTION lsem.record_commit(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  x  xid8 := pg_current_xact_id_if_assigned();
  ts bigint;
BEGIN
  IF x IS NULL THEN
    RETURN NULL;
  END IF;
  -- One statement, no EXCEPTION block (which would cost a subtransaction per commit): nothing
  -- between the lock and the unlock can fail short of the session ending, which releases it.
  SELECT GREATEST(p_commit, p_start + 1, coalesce(pg_sequence_last_value('lsem.clock'), 0) + 1)
    INTO ts FROM (SELECT pg_advisory_lock(1819501997)) locked;
  PERFORM setval('lsem.clock', ts), pg_advisory_unlock(1819501997);
  INSERT INTO lsem.commit_log VALUES (p_txn, x, p_start, ts, p_attempts);
  RETURN ts;
END $$;

-- The highest commit timestamp recorded (0 if none): seeds the clocks of starting drivers.
CREATE OR REPLACE FUNCTION lsem.max_commit_ts() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT coalesce(pg_sequence_last_value('lsem.clock'), 0) $$;

-- Which transaction wrote a row, from the row's xmin:  SELECT t.*, c.* FROM t, lsem.commit_of(t.xmin) c
-- (the newest xid with that xmin; rows written after a SAVEPOINT carry a subtransaction's xid
-- and are not found).
CREATE OR REPLACE FUNCTION lsem.commit_of(p_xmin xid) RETURNS SETOF lsem.commit_log LANGUAGE sql STABLE AS
$$ SELECT * FROM lsem.commit_log WHERE xid::xid = p_xmin ORDER BY xid DESC LIMIT 1 $$;

-- The commit timestamp of the transaction that wrote a row:  SELECT lsem.commit_ts(t.xmin), * FROM t
CREATE OR REPLACE FUNCTION lsem.commit_ts(p_xmin xid) RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT commit_ts FROM lsem.commit_of(p_xmin) $$;

-- The ledger with readable times.
CREATE OR REPLACE VIEW lsem.commits AS
  SELECT txn_id, xid, xid::xid AS xmin, start_ts, commit_ts, attempts,
         to_timestamp((commit_ts >> 18) / 1000.0) AS committed_at
  FROM lsem.commit_log;

-- Retention: deletes up to p_batch rows committed before p_before_ts, oldest first; returns how
-- many. Small batches keep locks short; call it again while it returns p_batch.
CREATE OR REPLACE FUNCTION lsem.purge(p_before_ts bigint, p_batch int) RETURNS int LANGUAGE sql AS $$
  WITH gone AS (
    DELETE FROM lsem.commit_log WHERE txn_id IN (
      SELECT txn_id FROM lsem.commit_log WHERE commit_ts < p_before_ts ORDER BY commit_ts LIMIT p_batch)
    RETURNING 1)
  SELECT count(*)::int FROM gone
$$;

-- Every role may record its commits (through record_commit, which runs as the ledger's owner)
-- and read the ledger; only the owner may change or delete rows directly.
GRANT USAGE ON SCHEMA lsem TO PUBLIC;
GRANT SELECT ON lsem.commit_log, lsem.commits, lsem.clock TO PUBLIC;
REVOKE ALL ON FUNCTION lsem.purge(bigint, int) FROM PUBLIC;
