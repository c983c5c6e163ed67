package io.lsem.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops the client threads of one measured run together: every client connects,
 * reports ready, waits for the common start; the measured window then runs to a fixed deadline
 * and the clients stop at their next transaction boundary. Thread safe.
 */
final class RunControl {
  private final CountDownLatch ready;
  private final CountDownLatch start = new CountDownLatch(1);
  private volatile long deadlineNanos;
  private volatile boolean stopped;
  private volatile boolean started;

  RunControl(int clients) {
    this.ready = new CountDownLatch(clients);
  }

  void ready() {
    ready.countDown();
  }

  /** Waits until every client is ready (connected or failed to), at most {@code seconds}. */
  boolean awaitReady(int seconds) throws InterruptedException {
    return ready.await(seconds, TimeUnit.SECONDS);
  }

  /** Opens the measured window of {@code seconds}; returns the deadline ({@link System#nanoTime()}). */
  long begin(int seconds) {
    deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    started = true;
    start.countDown();
    return deadlineNanos;
  }

  /** Tells the clients to stop; releases them too if the window never opened. */
  void stop() {
    stopped = true;
    start.countDown();
  }

  /** Waits for the start; false if the run was stopped before it began. */
  boolean awaitStart() {
    try {
      start.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return started && !stopped;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  boolean stopped() {
    return stopped;
  }
}
