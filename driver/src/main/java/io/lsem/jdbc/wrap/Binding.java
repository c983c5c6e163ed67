package io.lsem.jdbc.wrap;

/**
 * One parameter setting of a prepared or callable statement, kept so that it can be applied
 * again on a replay: the recorded operation (a setter, {@code registerOutParameter}, or one of
 * the statement's own stream setters), the parameter index and the (copied) value.
 */
record Binding(int op, int index, Object value) {}
