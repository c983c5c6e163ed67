package io.lsem.bench;

import io.lsem.bench.stub.StubConnection;
import io.lsem.jdbc.config.ConnectionConfig;
import io.lsem.jdbc.config.LsemSettings;
import io.lsem.jdbc.error.ExceptionTranslator;
import io.lsem.jdbc.wrap.ConnectionWrapper;
import io.lsem.jdbc.wrap.WrapperContext;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * What typed exceptions cost. Error path: translating a unique violation as the server reports
 * it, next to what pgjdbc itself spends building that {@code PSQLException} (the baseline).
 * Success path: one forwarded call on a connection with translation on and one with it off —
 * the same generated code runs, so the two must not differ.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ExceptionTranslationBenchmark {
  /** An ErrorResponse's fields as pgjdbc receives them (NUL separated). */
  private static final String UNIQUE_VIOLATION = "SERROR\0VERROR\0C23505\0"
      + "Mduplicate key value violates unique constraint \"parent_pk\"\0Dkey (id)=(1) already exists.\0"
      + "spublic\0tparent\0nparent_pk\0Fnbtinsert.c\0L664\0R_bt_check_unique\0\0";

  private final ExceptionTranslator translator = new ExceptionTranslator(true);
  private PSQLException original;
  private PreparedStatement typedOn;
  private PreparedStatement typedOff;
  private int value;

  @Setup(Level.Trial)
  public void prepare() throws SQLException {
    original = new PSQLException(new ServerErrorMessage(UNIQUE_VIOLATION));
    LsemSettings off = ConnectionConfig.parse("jdbc:lsem:postgresql://h/db?typedExceptions=false", null).settings();
    typedOn = ConnectionWrapper.wrap(StubConnection.create(1), new WrapperContext(LsemSettings.defaults()))
        .prepareStatement(StubConnections.UPDATE_SQL);
    typedOff = ConnectionWrapper.wrap(StubConnection.create(1), new WrapperContext(off))
        .prepareStatement(StubConnections.UPDATE_SQL);
  }

  /** Baseline: pgjdbc parses the ErrorResponse and builds its exception (with a stack trace). */
  @Benchmark
  public PSQLException errorPathPgjdbcBuildsException() {
    return new PSQLException(new ServerErrorMessage(UNIQUE_VIOLATION));
  }

  /** What the driver adds on the error path: the typed exception for pgjdbc's. */
  @Benchmark
  public SQLException errorPathTranslate() {
    return translator.translate(original);
  }

  @Benchmark
  public void successPathTranslationOn() throws SQLException {
    typedOn.setInt(1, value++);
  }

  @Benchmark
  public void successPathTranslationOff() throws SQLException {
    typedOff.setInt(1, value++);
  }
}
