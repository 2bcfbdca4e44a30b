package io.github.fran4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One opened {@link io.github.fran4j.core.ReAger} per spec and JVM: opened lazily by the first
 * task that needs it, shared by every later task of the executor (ReAger is thread-safe), closed
 * when the JVM shuts down. Thread-safe.
 */
final class ExecutorReAgers {
  private static final Map<ReAgeSpec, ReAgeSpec.Opened> OPEN = new ConcurrentHashMap<>();
  private static final AtomicInteger OPENED = new AtomicInteger();
  private static volatile boolean hookAdded;

  private ExecutorReAgers() {}

  /** Returns this JVM's re-ager for the spec, opening it on first use. */
  static ReAgeSpec.Opened get(ReAgeSpec spec) {
    return OPEN.computeIfAbsent(spec, s -> {
      addShutdownHook();
      try {
        ReAgeSpec.Opened o = s.openOnExecutor();
        OPENED.incrementAndGet();
        return o;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + s.model() + " on this executor", e);
      }
    });
  }

  /** Returns how many re-agers this JVM has opened (for tests). */
  static int openedCount() {
    return OPENED.get();
  }

  private static synchronized void addShutdownHook() {
    if (!hookAdded) {
      Runtime.getRuntime().addShutdownHook(new Thread(ExecutorReAgers::closeAll, "fran-reager-close"));
      hookAdded = true;
    }
  }

  private static void closeAll() {
    for (ReAgeSpec spec : OPEN.keySet()) {
      ReAgeSpec.Opened o = OPEN.remove(spec);
      if (o != null) {
        o.close();
      }
    }
  }
}
