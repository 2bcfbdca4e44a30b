package io.github.fran4j.examples.serve;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control: at most {@code maxConcurrent} requests run the model, at most
 * {@code maxQueue} more wait (first come, first served), and the rest are turned away at once so
 * that the server answers 429 instead of piling up threads and memory. Thread-safe.
 */
final class Admission {
  private final int maxConcurrent;
  private final int maxQueue;
  private final Semaphore slots;
  private final AtomicInteger queued = new AtomicInteger();
  /** Mean service time in nanoseconds, an exponentially weighted moving average. */
  private final AtomicLong meanNanos = new AtomicLong();

  Admission(int maxConcurrent, int maxQueue) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
    this.slots = new Semaphore(maxConcurrent, true);
  }

  /** A held slot; closing it frees the slot and records the service time. */
  final class Permit implements AutoCloseable {
    private final long start = System.nanoTime();
    private boolean closed;

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        long took = System.nanoTime() - start;
        meanNanos.updateAndGet(m -> m == 0 ? took : m + (took - m) / 8);
        slots.release();
      }
    }
  }

  /**
   * Takes a slot, waiting in the queue if all slots are busy and the queue has room.
   *
   * @return the permit, or empty if the slots and the queue are full
   * @throws InterruptedException if interrupted while queued
   */
  Optional<Permit> enter() throws InterruptedException {
    if (!slots.tryAcquire()) {
      if (queued.incrementAndGet() > maxQueue) {
        queued.decrementAndGet();
        return Optional.empty();
      }
      try {
        slots.acquire();
      } finally {
        queued.decrementAndGet();
      }
    }
    return Optional.of(new Permit());
  }

  /** Returns how many requests wait for a slot. */
  int queued() {
    return queued.get();
  }

  /** Returns how many requests hold a slot. */
  int inFlight() {
    return maxConcurrent - slots.availablePermits();
  }

  /**
   * Returns the seconds a turned-away client should wait: the time to work off what is running
   * and queued now at the recent mean service time, at least 1.
   */
  long retryAfterSeconds() {
    double work = (queued() + inFlight()) * (meanNanos.get() / 1e9) / maxConcurrent;
    return Math.max(1, (long) Math.ceil(work));
  }
}
