package io.lsem.jdbc.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes the exporters named by {@code transactionTelemetry}. Each exporter class is loaded only
 * when named (through a factory typed by the interface, so that verifying this class loads no
 * Micrometer or OpenTelemetry type), so that an application without Micrometer or OpenTelemetry never
 * needs them (the property's validation has already checked that a named one is on the class path).
 */
public final class TransactionSinks {
  private TransactionSinks() {
  }

  /** The exporters for {@code names} (micrometer, opentelemetry), in that order; empty for none. */
  public static List<TransactionSink> of(Set<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    List<TransactionSink> sinks = new ArrayList<>(2);
    if (names.contains("micrometer")) {
      sinks.add(MicrometerTransactionTimers.inGlobalRegistry());
    }
    if (names.contains("opentelemetry")) {
      sinks.add(OpenTelemetryTransactionSpans.global());
    }
    return List.copyOf(sinks);
  }
}
