package io.lsem.jdbc.ledger;

/**
 * What makes an installed ledger untrustworthy, as SQL both the driver and {@code lsem verify} run:
 * an object in schema {@code lsem} owned by another role than the schema's owner, or a trigger,
 * rule or row-level policy on its tables. Any of them would run inside the ledger's SECURITY
 * DEFINER function with its owner's rights (the install script refuses the same).
 */
public final class LedgerTrust {
  /** One row per problem, column {@code what} describing it; no rows for a sound ledger. */
  public static final String FOREIGN_OBJECTS =
      "SELECT 'lsem.' || c.relname || ' is owned by ' || pg_catalog.pg_get_userbyid(c.relowner) AS what"
      + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE n.nspname = 'lsem' AND c.relowner <> n.nspowner"
      + " UNION ALL SELECT 'function lsem.' || p.proname || ' is owned by ' || pg_catalog.pg_get_userbyid(p.proowner)"
      + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
      + " WHERE n.nspname = 'lsem' AND p.proowner <> n.nspowner"
      + " UNION ALL SELECT 'trigger ' || t.tgname || ' on lsem.' || c.relname FROM pg_catalog.pg_trigger t"
      + " JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE n.nspname = 'lsem' AND NOT t.tgisinternal"
      + " UNION ALL SELECT 'rule ' || r.rulename || ' on lsem.' || c.relname FROM pg_catalog.pg_rewrite r"
      + " JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE n.nspname = 'lsem' AND c.relkind = 'r'"
      + " UNION ALL SELECT 'policy ' || pol.polname || ' on lsem.' || c.relname FROM pg_catalog.pg_policy pol"
      + " JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE n.nspname = 'lsem'";

  private LedgerTrust() {}
}
