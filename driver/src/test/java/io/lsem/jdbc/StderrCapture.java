package io.lsem.jdbc;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a piece of test code wrote to {@code System.err}, the test logger's target (still echoed there). */
public final class StderrCapture {
  private StderrCapture() {}

  /** The code whose output is captured. */
  @FunctionalInterface
  public interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body} and returns what it wrote to {@code System.err}. */
  public static String captured(Body body) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        stderr.write(b);
        log.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.write(b, off, len);
        log.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.err.flush();
      System.setErr(stderr);
    }
    return log.toString(StandardCharsets.UTF_8);
  }
}
