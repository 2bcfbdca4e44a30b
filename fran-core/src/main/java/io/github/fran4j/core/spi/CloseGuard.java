package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The close contract of everything in FRAN that holds native memory (generator sessions, face
 * models, re-agers): {@link #close} waits until the calls in flight have finished before the
 * resource is released, calls that start after it throw {@link IllegalStateException} naming the
 * operation and the resource, and closing again does nothing.
 *
 * <p>Freeing a native session while another thread is inside it crashes the JVM (ONNX Runtime
 * dereferences freed memory), so the release must never overlap a call; this class is the one
 * place that rule is implemented.
 *
 * <pre>{@code
 * try (CloseGuard.Call c = guard.enter("predict")) {
 *   return session.run(...);
 * }
 * ...
 * public void close() {
 *   guard.close(session::close);
 * }
 * }</pre>
 *
 * <p>Calls may nest on one thread (a re-ager's {@code reage} calling its own {@code predict});
 * {@link #close} from inside a call on the same thread is refused rather than deadlocking.
 * Thread-safe.
 */
public final class CloseGuard {
  private final String resource;
  // A read hold per call in flight; close takes the write lock, so it waits for them to finish.
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  /**
   * Creates a guard for one resource.
   *
   * @param resource how messages name the resource, e.g. {@code face model fr_detect.onnx}
   */
  public CloseGuard(String resource) {
    this.resource = checkNotNull(resource, "resource");
  }

  /** A call in flight; closing it (once, on the thread that entered) ends the call. */
  public interface Call extends AutoCloseable {
    /** Ends the call; does not throw. */
    @Override
    void close();
  }

  /**
   * Starts a call: until the returned {@link Call} is closed, {@link #close} waits.
   *
   * @param operation what the caller is about to do, for the message when the resource is closed
   * @return the call, to close in a {@code finally} or try-with-resources on the same thread
   * @throws IllegalStateException if the resource is closed (or being closed)
   */
  public Call enter(String operation) {
    ReentrantReadWriteLock.ReadLock read = lock.readLock();
    read.lock();
    if (closed) {
      read.unlock();
      throw new IllegalStateException(operation + " called on a closed " + resource);
    }
    return read::unlock;
  }

  /**
   * Closes the resource: waits for the calls in flight, then runs {@code release} once. Later
   * calls to {@link #enter} throw; later calls to this method return {@code false} at once
   * (after any close in progress has finished).
   *
   * @param release frees the native resources; runs at most once, with no call in flight
   * @return whether this call released the resource
   * @throws IllegalStateException if called from inside a call on this guard on the same thread
   *     (it would wait for itself)
   */
  public boolean close(Runnable release) {
    checkNotNull(release, "release");
    if (lock.getReadHoldCount() > 0) {
      throw new IllegalStateException("close called on " + resource
          + " from inside one of its own calls; close it after the call returns");
    }
    lock.writeLock().lock();
    try {
      if (closed) {
        return false;
      }
      closed = true;
      release.run();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** {@return whether {@link #close} has begun; a {@code false} may be stale at once} */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "CloseGuard{" + resource + (closed ? ", closed}" : "}");
  }
}
