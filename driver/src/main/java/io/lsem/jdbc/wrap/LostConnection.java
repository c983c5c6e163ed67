package io.lsem.jdbc.wrap;

import io.lsem.jdbc.failover.HostSpec;

/**
 * The physical connection failover replaced: where it went, its backend and when it connected,
 * so that {@link CommitResolver} can make sure its transaction ended before it asks for the
 * outcome.
 */
record LostConnection(HostSpec host, int backendPid, long connectedAtMillis) {}
