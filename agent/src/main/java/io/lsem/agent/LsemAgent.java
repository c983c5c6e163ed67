package io.lsem.agent;

import java.lang.instrument.Instrumentation;

/**
 * {@code java -javaagent:lsem-jdbc-agent.jar -jar app.jar}: the application's PostgreSQL
 * connections go through LSEM JDBC without a change to it — {@code jdbc:postgresql:} URLs given to
 * {@code DriverManager} or to {@code org.postgresql.Driver}, and pgjdbc's data sources
 * ({@code PGSimpleDataSource}, {@code PGConnectionPoolDataSource}, {@code PGXADataSource}).
 *
 * <p>The driver's properties come from the agent's argument ({@code -javaagent:lsem-jdbc-agent.jar=timestamps=on&retry=true}),
 * the environment variable {@code LSEM_PROPERTIES} (same form) and system properties
 * {@code -Dlsem.<property>=value}; see {@link AgentSettings}. They are checked when the JVM starts:
 * a misspelled name or a bad value stops it with a message naming them.
 *
 * <p>Three pgjdbc methods get a call at their start ({@link PgjdbcTransformer}); nothing else is
 * changed, and nothing is looked up per JDBC call.
 */
public final class LsemAgent {
  private LsemAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    // Installed before anything loads pgjdbc's classes (reading the settings may, and the LSEM driver
    // does): a class loaded before the transformer is in place would keep its code.
    instrumentation.addTransformer(new PgjdbcTransformer());
    Routing.configure(AgentSettings.read(arguments, System.getenv(), System.getProperties()));
  }
}
