package io.lsem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's read and write system call counts, from Linux's
 * {@code /proc/thread-self/io} ({@code syscr}, {@code syscw}). A socket round trip is one write
 * and at least one read, so equal counts per transaction show that a driver adds no round trips.
 * Returns {@code -1} where the file cannot be read (not Linux, restricted /proc).
 */
final class ThreadIo {
  private static final Path FILE = Path.of("/proc/thread-self/io");

  private ThreadIo() {
  }

  /** {@code {reads, writes}} so far for the calling thread, or {@code {-1, -1}}. */
  static long[] syscalls() {
    long reads = -1;
    long writes = -1;
    try {
      for (String line : Files.readAllLines(FILE)) {
        if (line.startsWith("syscr:")) {
          reads = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("syscw:")) {
          writes = Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
    return new long[] {reads, writes};
  }
}
