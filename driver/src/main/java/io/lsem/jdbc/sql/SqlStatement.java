package io.lsem.jdbc.sql;

/**
 * One statement of a SQL text, classified.
 *
 * @param kind what it does
 * @param name the savepoint name (folded like PostgreSQL folds it), the prepared
 *     transaction's gid, or, for a {@code SET_SESSION_CHARACTERISTICS} that resets a default
 *     ({@code SET … TO DEFAULT}, {@code RESET …}, {@code RESET ALL}, {@code DISCARD ALL}), the
 *     setting reset ({@code default_transaction_isolation}, {@code default_transaction_read_only}
 *     or {@code all}); {@code null} otherwise
 * @param isolation the isolation level it sets, or {@code null} if it sets none
 * @param readOnly the access mode it sets ({@code TRUE} read only), or {@code null}
 * @param chain {@code COMMIT/ROLLBACK AND CHAIN}: a new transaction starts at once
 * @param sequenceOnly a {@code SELECT} that only allocates sequence values
 *     ({@code select nextval('s')}, optionally {@code from generate_series(…)})
 * @param start offset of its first token in the text
 * @param end offset just after its last token
 */
public record SqlStatement(StatementKind kind, String name, Isolation isolation, Boolean readOnly,
    boolean chain, boolean sequenceOnly, int start, int end) {}
