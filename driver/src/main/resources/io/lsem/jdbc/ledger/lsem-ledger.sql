-- LSEM JDBC commit ledger, version 4. Idempotent: running it again changes nothing.
-- Install by hand as the role that is to own it:  psql -d mydb -f lsem-ledger.sql
-- (or: lsem install --url ...). The driver never runs it unless asked (installLedger=true).
-- Every name below is schema-qualified and every function pins its search_path.

SET LOCAL search_path = pg_catalog, pg_temp;

-- Concurrent first installs run it once (when the script runs as one transaction).
SELECT pg_catalog.pg_advisory_xact_lock(1819501998);

-- Refuse to build on objects someone else made: a schema lsem, or anything in it, owned by
-- another role, or a trigger, rule or row-level policy on the ledger's tables, would run with the
-- rights of whoever calls the ledger's SECURITY DEFINER function (an escalation path).
DO $check$
DECLARE
  found text;
BEGIN
  SELECT pg_catalog.string_agg(what, '; ') INTO found FROM (
    SELECT 'schema lsem is owned by ' || pg_catalog.pg_get_userbyid(n.nspowner) AS what
      FROM pg_catalog.pg_namespace n
     WHERE n.nspname = 'lsem' AND n.nspowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
    UNION ALL
    SELECT 'lsem.' || c.relname || ' is owned by ' || pg_catalog.pg_get_userbyid(c.relowner)
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'lsem' AND c.relowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
    UNION ALL
    SELECT 'function lsem.' || p.proname || ' is owned by ' || pg_catalog.pg_get_userbyid(p.proowner)
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'lsem' AND p.proowner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
    UNION ALL
    SELECT 'trigger ' || t.tgname || ' on lsem.' || c.relname
      FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'lsem' AND NOT t.tgisinternal
    UNION ALL
    SELECT 'rule ' || r.rulename || ' on lsem.' || c.relname
      FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'lsem' AND c.relkind = 'r'
    UNION ALL
    SELECT 'policy ' || pol.polname || ' on lsem.' || c.relname
      FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'lsem'
  ) f;
  IF found IS NOT NULL THEN
    RAISE EXCEPTION 'refusing to install the LSEM ledger as %: %', current_user, found
      USING ERRCODE = '42501',
            HINT = 'drop schema lsem (after checking who made it and why) or install as its owner';
  END IF;
END
$check$;

-- The role whose members may record commits: GRANT lsem_writer TO <application role>.
DO $writer$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'lsem_writer') THEN
    CREATE ROLE lsem_writer NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'the LSEM ledger needs the role lsem_writer, and % may not create roles', current_user
    USING ERRCODE = '42501', HINT = 'ask an administrator to run: CREATE ROLE lsem_writer NOLOGIN';
END
$writer$;

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
-- At most one row per transaction: a second record_commit in one transaction fails. Also how
-- commit_of finds a row's writer (version 4; version 3 kept a second, hash index on xid::xid).
CREATE UNIQUE INDEX IF NOT EXISTS commit_log_xid ON lsem.commit_log (xid);
DROP INDEX IF EXISTS lsem.commit_log_xmin;

-- Version 3: the XA global transaction a branch belongs to (NULL for a local transaction). Every
-- branch of one global transaction records the same txn_id and commit_ts in its own database.
ALTER TABLE lsem.commit_log ADD COLUMN IF NOT EXISTS xa_gtrid text;
CREATE INDEX IF NOT EXISTS commit_log_xa_gtrid ON lsem.commit_log (xa_gtrid) WHERE xa_gtrid IS NOT NULL;

CREATE OR REPLACE FUNCTION lsem.ledger_version() RETURNS int LANGUAGE sql IMMUTABLE
  SET search_path = pg_catalog, pg_temp AS $$ SELECT 4 $$;

-- Called by the driver in the COMMIT message. For a transaction that wrote, raises the commit
-- timestamp above every commit timestamp issued before in this database (a short critical
-- section on an advisory lock, released at once), records the ledger row, and returns the
-- timestamp; for a read-only transaction returns NULL and assigns no xid. Its arguments are
-- checked before the lock is taken (attempts >= 1; timestamps at most 10 s ahead of the server's
-- clock), so nothing between the lock and the unlock can fail short of the session ending; a
-- session squatting on the lock makes commits fail after lock_timeout instead of waiting forever.
CREATE OR REPLACE FUNCTION lsem.record_commit(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
  x     xid8 := pg_catalog.pg_current_xact_id_if_assigned();
  limit_ts bigint := ((pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)::bigint + 10000) << 18;
  ts    bigint;
BEGIN
  IF x IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_txn IS NULL OR p_start IS NULL OR p_commit IS NULL OR p_attempts IS NULL OR p_attempts < 1
     OR p_start < 0 OR p_commit < 0 OR p_start > limit_ts OR p_commit > limit_ts THEN
    RAISE EXCEPTION 'lsem.record_commit: bad arguments (attempts must be >= 1, timestamps at most 10 s ahead of the server clock)'
      USING ERRCODE = '22023';
  END IF;
  SELECT GREATEST(p_commit, p_start + 1, coalesce(pg_catalog.pg_sequence_last_value('lsem.clock'::regclass), 0) + 1)
    INTO ts FROM (SELECT pg_catalog.pg_advisory_lock(1819501997)) locked;
  PERFORM pg_catalog.setval('lsem.clock'::regclass, ts), pg_catalog.pg_advisory_unlock(1819501997);
  INSERT INTO lsem.commit_log VALUES (p_txn, x, p_start, ts, p_attempts);
  RETURN ts;
END $$;

-- Version 4. Called by the driver in the COMMIT message instead of record_commit when its timestamps
-- come from a linearizable oracle shared by every client (timestampOracle=etcd): such a commit
-- timestamp is already above every one issued before, in any database, so the row is a plain append —
-- no lock, no clock. Same checks and result as record_commit; NULL for a read-only transaction.
-- PL/pgSQL, not SQL: its INSERT keeps a cached plan per session (a SQL function's is planned per call).
CREATE OR REPLACE FUNCTION lsem.append_commit(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  x        xid8 := pg_catalog.pg_current_xact_id_if_assigned();
BEGIN
  IF x IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_txn IS NULL OR p_start IS NULL OR p_commit IS NULL OR p_attempts IS NULL OR p_attempts < 1
     OR p_start < 0 OR p_commit <= p_start
     OR p_commit > ((pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)::bigint + 10000) << 18 THEN
    RAISE EXCEPTION 'lsem.append_commit: bad arguments (attempts must be >= 1, start < commit at most 10 s ahead of the server clock)'
      USING ERRCODE = '22023';
  END IF;
  INSERT INTO lsem.commit_log (txn_id, xid, start_ts, commit_ts, attempts) VALUES (p_txn, x, p_start, p_commit, p_attempts);
  RETURN p_commit;
END $$;

-- Called by the driver's XA resource right before PREPARE TRANSACTION of a branch that wrote: records
-- the branch with the global transaction's id and commit timestamp, shared by all its branches, so
-- it is recorded exactly (not raised like record_commit's), and keeps lsem.clock at or above it.
-- Global transactions that conflict in this database are ordered by their locks (the commit
-- timestamp is taken at the first PREPARE, after every write), so their timestamps follow their
-- commit order; unrelated ones may commit here in another order than their timestamps. It reads no
-- table (a SERIALIZABLE branch would take a predicate lock on it and conflict with every committer).
CREATE OR REPLACE FUNCTION lsem.record_branch(p_txn uuid, p_start bigint, p_commit bigint, p_attempts int,
    p_gtrid text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $$
DECLARE
  x        xid8 := pg_catalog.pg_current_xact_id_if_assigned();
  limit_ts bigint := ((pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)::bigint + 10000) << 18;
  last     bigint;
BEGIN
  IF x IS NULL THEN
    RETURN NULL;
  END IF;
  IF p_txn IS NULL OR p_start IS NULL OR p_commit IS NULL OR p_attempts IS NULL OR p_attempts < 1
     OR p_start < 0 OR p_commit <= p_start OR p_commit > limit_ts OR p_gtrid IS NULL
     OR pg_catalog.length(p_gtrid) > 300 THEN
    RAISE EXCEPTION 'lsem.record_branch: bad arguments (attempts >= 1, start < commit at most 10 s ahead of the server clock, a global transaction id of at most 300 characters)'
      USING ERRCODE = '22023';
  END IF;
  PERFORM pg_catalog.pg_advisory_lock(1819501997);
  last := coalesce(pg_catalog.pg_sequence_last_value('lsem.clock'::regclass), 0);
  IF p_commit > last THEN
    PERFORM pg_catalog.setval('lsem.clock'::regclass, p_commit);
  END IF;
  PERFORM pg_catalog.pg_advisory_unlock(1819501997);
  INSERT INTO lsem.commit_log (txn_id, xid, start_ts, commit_ts, attempts, xa_gtrid)
    VALUES (p_txn, x, p_start, p_commit, p_attempts, p_gtrid);
  RETURN p_commit;
END $$;

-- The highest commit timestamp recorded (0 if none): seeds the clocks of starting drivers. Rows
-- appended by append_commit do not move lsem.clock, so the greatest recorded row counts too (one
-- step down the commit_ts index).
CREATE OR REPLACE FUNCTION lsem.max_commit_ts() RETURNS bigint LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS
$$ SELECT GREATEST(coalesce(pg_catalog.pg_sequence_last_value('lsem.clock'::regclass), 0),
                   coalesce((SELECT pg_catalog.max(commit_ts) FROM lsem.commit_log), 0)) $$;

-- Which transaction wrote a row, from the row's xmin:  SELECT t.*, c.* FROM t, lsem.commit_of(t.xmin) c
-- (the newest xid8 with that xmin, at most 2^32 transactions old — the only one an unfrozen row can
-- carry; rows written after a SAVEPOINT carry a subtransaction's xid and are not found). One lookup
-- in the unique index on xid.
CREATE OR REPLACE FUNCTION lsem.commit_of(p_xmin xid) RETURNS SETOF lsem.commit_log LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS
$$ SELECT l.* FROM lsem.commit_log l,
     (SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint AS top) s
   WHERE l.xid = (s.top - ((s.top - p_xmin::text::bigint) & 4294967295))::text::xid8 $$;

-- The commit timestamp of the transaction that wrote a row:  SELECT lsem.commit_ts(t.xmin), * FROM t
CREATE OR REPLACE FUNCTION lsem.commit_ts(p_xmin xid) RETURNS bigint LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS
$$ SELECT commit_ts FROM lsem.commit_of(p_xmin) $$;

-- The ledger with readable times.
CREATE OR REPLACE VIEW lsem.commits AS
  SELECT txn_id, xid, xid::xid AS xmin, start_ts, commit_ts, attempts,
         pg_catalog.to_timestamp((commit_ts >> 18) / 1000.0) AS committed_at, xa_gtrid
  FROM lsem.commit_log;

-- Retention: deletes up to p_batch rows committed before p_before_ts, oldest first; returns how
-- many. Small batches keep locks short; call it again while it returns p_batch.
CREATE OR REPLACE FUNCTION lsem.purge(p_before_ts bigint, p_batch int) RETURNS int LANGUAGE sql
SET search_path = pg_catalog, pg_temp AS $$
  WITH gone AS (
    DELETE FROM lsem.commit_log WHERE txn_id IN (
      SELECT txn_id FROM lsem.commit_log WHERE commit_ts < p_before_ts ORDER BY commit_ts LIMIT p_batch)
    RETURNING 1)
  SELECT pg_catalog.count(*)::int FROM gone
$$;

-- Members of lsem_writer may record their commits (through record_commit, which runs as the
-- ledger's owner); every role may read the ledger; only the owner may change or delete rows.
GRANT USAGE ON SCHEMA lsem TO PUBLIC;
GRANT SELECT ON lsem.commit_log, lsem.commits, lsem.clock TO PUBLIC;
REVOKE ALL ON FUNCTION lsem.record_commit(uuid, bigint, bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lsem.record_commit(uuid, bigint, bigint, int) TO lsem_writer;
REVOKE ALL ON FUNCTION lsem.append_commit(uuid, bigint, bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lsem.append_commit(uuid, bigint, bigint, int) TO lsem_writer;
REVOKE ALL ON FUNCTION lsem.record_branch(uuid, bigint, bigint, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lsem.record_branch(uuid, bigint, bigint, int, text) TO lsem_writer;
REVOKE ALL ON FUNCTION lsem.purge(bigint, int) FROM PUBLIC;
