package io.lsem.jdbc.cli;

import io.lsem.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the {@code lsem} command in this JVM, for tests in other packages. */
public final class LsemCommand {
  /** The exit code and everything the command printed. */
  public record Result(int exitCode, String output) {}

  private LsemCommand() {}

  /** Runs {@code lsem args...} with {@code db}'s password in {@code LSEM_PASSWORD}. */
  public static Result run(TestDatabase db, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new Lsem(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
        Map.of("LSEM_PASSWORD", db.password())).run(args);
    return new Result(code, out.toString(StandardCharsets.UTF_8));
  }
}
