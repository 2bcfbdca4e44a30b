package io.github.fran4j.core.batch;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Groups concurrent single-image generator calls into batches: a server thread per request calls
 * {@link #predict} (or {@link #submit}) with one {@code [1, 5, H, W]} input, and one worker
 * thread runs up to {@code maxBatchSize} inputs of the same size in one {@link Generator#predict}
 * call, waiting at most {@code maxWait} after the oldest request for others to join. On a GPU one
 * batch of 8 costs far less than 8 single calls; on a CPU batching gains little.
 *
 * <pre>{@code
 * try (MicroBatcher batcher = MicroBatcher.builder(reager.generator())
 *     .optMaxBatchSize(8).optMaxWait(Duration.ofMillis(5)).build()) {
 *   Tensor delta = batcher.predict(GeneratorInput.of(face, in, out)); // from many threads
 * }
 * }</pre>
 *
 * <p>Each caller gets the delta of its own input, whatever the interleaving: a batch is cut back
 * into per-request results in the order it was assembled. Inputs of different sizes never share
 * a batch; those of one size are served first come, first served. A failing batch fails each of
 * its requests with the generator's exception.
 *
 * <p>Thread-safe. {@link #close()} stops accepting requests, finishes the queued ones, and stops
 * the worker; it does not close the generator, which the caller owns.
 */
public final class MicroBatcher implements AutoCloseable {
  private final Generator generator;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final BlockingQueue<Request> queue;
  private final Thread worker;
  private volatile boolean closed;

  private MicroBatcher(Builder b) {
    this.generator = b.generator;
    this.maxBatchSize = b.maxBatchSize;
    this.maxWaitNanos = b.maxWait.toNanos();
    this.queue = new LinkedBlockingQueue<>(b.queueCapacity);
    this.worker = new Thread(this::work, "fran-micro-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Returns a builder.
   *
   * @param generator the generator to batch for (not closed by the batcher)
   * @return a builder with the defaults: batches of up to 8, 5 ms wait, 1024 queued requests
   */
  public static Builder builder(Generator generator) {
    return new Builder(checkNotNull(generator, "generator"));
  }

  /**
   * Queues one input and returns its delta's future.
   *
   * @param input {@code [1, C, H, W]}
   * @return the {@code [1, 3, H, W]} delta, completed by the worker (exceptionally if the batch
   *     failed)
   * @throws IllegalArgumentException if the input is not a single image of rank 4
   * @throws IllegalStateException if the batcher is closed or its queue is full
   */
  public CompletableFuture<Tensor> submit(Tensor input) {
    checkNotNull(input, "input");
    int[] s = input.shape();
    checkArgument(s.length == 4 && s[0] == 1,
        "MicroBatcher takes one image per call, shape [1, C, H, W]; got %s", Arrays.toString(s));
    Request r = new Request(input, System.nanoTime());
    if (closed) {
      throw new IllegalStateException("MicroBatcher is closed");
    }
    if (!queue.offer(r)) {
      throw new IllegalStateException("MicroBatcher queue is full (" + queue.size()
          + " requests waiting); raise optQueueCapacity or add capacity");
    }
    if (closed && queue.remove(r)) {
      // close() ran between the check and the offer, and its drain may have missed this one.
      throw new IllegalStateException("MicroBatcher is closed");
    }
    return r.result;
  }

  /**
   * Runs one input through the next batch and waits for its delta.
   *
   * @param input {@code [1, C, H, W]}
   * @return the {@code [1, 3, H, W]} delta
   * @throws IllegalArgumentException for a bad input, or one the generator rejects
   * @throws IllegalStateException if the batcher is closed or the generator failed
   */
  public Tensor predict(Tensor input) {
    CompletableFuture<Tensor> f = submit(input);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the batch", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IllegalStateException(c);
    }
  }

  /** {@return the largest batch this batcher assembles} */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  private void work() {
    // Requests of another size than the batch being assembled wait here, oldest first.
    ArrayDeque<Request> deferred = new ArrayDeque<>();
    while (true) {
      Request first = deferred.poll();
      if (first == null) {
        try {
          first = queue.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          first = null;
        }
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          continue;
        }
      }
      List<Request> batch = new ArrayList<>(maxBatchSize);
      batch.add(first);
      for (Iterator<Request> it = deferred.iterator(); it.hasNext() && batch.size() < maxBatchSize;) {
        Request r = it.next();
        if (r.sameSize(first)) {
          batch.add(r);
          it.remove();
        }
      }
      long deadline = first.enqueued + maxWaitNanos;
      while (batch.size() < maxBatchSize) {
        long left = deadline - System.nanoTime();
        Request r;
        try {
          r = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
        } catch (InterruptedException e) {
          r = null;
        }
        if (r == null) {
          break;
        }
        if (r.sameSize(first)) {
          batch.add(r);
        } else {
          deferred.add(r);
        }
      }
      run(batch);
    }
  }

  private void run(List<Request> batch) {
    try {
      int[] s = batch.get(0).input.shape();
      int per = s[1] * s[2] * s[3];
      float[] in = new float[batch.size() * per];
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).input.floatBuffer().get(in, i * per, per);
      }
      Tensor out = generator.predict(Tensor.wrap(in, batch.size(), s[1], s[2], s[3]));
      int[] o = out.shape();
      if (o.length != 4 || o[0] != batch.size()) {
        throw new IllegalStateException("backend " + generator.describe() + " returned "
            + Arrays.toString(o) + " for a batch of " + batch.size());
      }
      int outPer = o[1] * o[2] * o[3];
      FloatBuffer all = out.floatBuffer();
      for (int i = 0; i < batch.size(); i++) {
        float[] one = new float[outPer];
        all.get(i * outPer, one, 0, outPer);
        batch.get(i).result.complete(Tensor.wrap(one, 1, o[1], o[2], o[3]));
      }
    } catch (RuntimeException | Error e) {
      batch.forEach(r -> r.result.completeExceptionally(e));
    }
  }

  /**
   * Stops accepting requests, completes the queued ones and stops the worker. Idempotent; does not
   * close the generator.
   */
  @Override
  public void close() {
    closed = true;
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One caller's input and the future its result goes to. */
  private static final class Request {
    final Tensor input;
    final long enqueued;
    final CompletableFuture<Tensor> result = new CompletableFuture<>();

    Request(Tensor input, long enqueued) {
      this.input = input;
      this.enqueued = enqueued;
    }

    boolean sameSize(Request o) {
      int[] a = input.shape();
      int[] b = o.input.shape();
      return a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
    }
  }

  /** Builds a {@link MicroBatcher}; not thread-safe. */
  public static final class Builder {
    private final Generator generator;
    private int maxBatchSize = 8;
    private Duration maxWait = Duration.ofMillis(5);
    private int queueCapacity = 1024;

    private Builder(Generator generator) {
      this.generator = generator;
    }

    /**
     * Sets the most inputs per model call (default 8). Size it to the device memory: a batch needs
     * about this many times one image's activations.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxBatchSize(int v) {
      checkArgument(v >= 1, "max batch size must be >= 1, got %s", v);
      maxBatchSize = v;
      return this;
    }

    /**
     * Sets how long the oldest request of a batch waits for others (default 5 ms): the latency a
     * lone request pays for the chance of company.
     *
     * @param v zero or more
     * @return this builder
     */
    public Builder optMaxWait(Duration v) {
      checkNotNull(v, "maxWait");
      checkArgument(!v.isNegative(), "max wait must be >= 0, got %s", v);
      maxWait = v;
      return this;
    }

    /**
     * Sets how many requests may wait; beyond that {@link #submit} fails fast instead of queueing
     * unbounded work (default 1024).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optQueueCapacity(int v) {
      checkArgument(v >= 1, "queue capacity must be >= 1, got %s", v);
      queueCapacity = v;
      return this;
    }

    /**
     * Builds the batcher and starts its worker thread.
     *
     * @return the batcher; the caller closes it
     */
    public MicroBatcher build() {
      return new MicroBatcher(this);
    }
  }
}
