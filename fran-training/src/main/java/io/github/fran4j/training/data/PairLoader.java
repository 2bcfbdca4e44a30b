package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and augments batches on worker threads ahead of the trainer.
 *
 * <p>For each epoch, {@link #epoch(long)} returns an iterator over the sampler's batches. Up to
 * {@code prefetch} batches are being loaded at any time (a bounded window of futures, so memory is
 * bounded), each batch by one worker. Batches come out in sampler order, and each batch's content
 * is a pure function of the dataset, the sampler's seed, the epoch and the batch index (every pair
 * carries its own augmentation seed): the output is identical for any number of workers.
 *
 * <p>In strict datasets an unreadable image fails the iteration with an {@link
 * UncheckedIOException} naming the file. In lenient datasets the loader substitutes the next age of
 * the same identity (deterministically), logs the file once and counts it ({@link
 * #skippedImages()}).
 *
 * <p>Lifecycle: holds worker threads (no native memory); {@link #close()} cancels pending work,
 * stops every worker and waits for them; it is idempotent. Starting a new epoch cancels a previous,
 * unfinished one. One consumer thread iterates; {@link #close()} may be called from any thread
 * (e.g. a shutdown hook).
 */
public final class PairLoader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PairLoader.class);
  private static final AtomicInteger LOADER_IDS = new AtomicInteger();
  /** Prefix of the worker thread names ({@code fran-loader-<loader>-<worker>}). */
  public static final String THREAD_PREFIX = "fran-loader-";

  private final AgeDataset dataset;
  private final AgeBatchSampler sampler;
  private final PairAugmentation augmentation;
  private final int workers;
  private final int prefetch;
  private final ExecutorService pool;
  private final AtomicLong skipped = new AtomicLong();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  /** Guards {@link #current}, {@link #closed} and each iterator's window (close() may come from
   * another thread, e.g. a shutdown hook). Never held while waiting for a batch. */
  private final Object lock = new Object();
  private EpochIterator current;
  private volatile boolean closed;

  private PairLoader(Builder b) {
    this.dataset = b.dataset;
    this.sampler = b.sampler;
    this.augmentation =
        b.augmentation != null
            ? b.augmentation
            : PairAugmentation.builder(dataset.resolution()).build();
    this.workers = b.workers;
    this.prefetch = b.prefetch > 0 ? b.prefetch : Math.max(2, 2 * workers);
    checkArgument(
        sampler.identityCount() == dataset.identityCount()
            && sampler.ageCount() == dataset.ageCount(),
        "sampler grid %sx%s does not match the dataset's %s identities x %s ages",
        sampler.identityCount(),
        sampler.ageCount(),
        dataset.identityCount(),
        dataset.ageCount());
    if (workers == 0) {
      this.pool = null;
    } else {
      int id = LOADER_IDS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      ThreadFactory tf =
          r -> {
            Thread t = new Thread(r, THREAD_PREFIX + id + "-" + n.incrementAndGet());
            // Daemon so a forgotten close() cannot keep the JVM alive; close() still joins them.
            t.setDaemon(true);
            return t;
          };
      this.pool = Executors.newFixedThreadPool(workers, tf);
    }
  }

  /**
   * Returns a builder.
   *
   * @param dataset the dataset to read
   * @param sampler the sampler choosing each batch's pairs (same grid as the dataset)
   * @return a builder with the reference augmentation at the dataset's resolution, {@code min(4,
   *     cores)} workers and a prefetch of twice the workers
   */
  public static Builder builder(AgeDataset dataset, AgeBatchSampler sampler) {
    return new Builder(dataset, sampler);
  }

  /** {@return the dataset} */
  public AgeDataset dataset() {
    return dataset;
  }

  /** {@return the sampler} */
  public AgeBatchSampler sampler() {
    return sampler;
  }

  /** {@return the augmentation} */
  public PairAugmentation augmentation() {
    return augmentation;
  }

  /** {@return the number of worker threads (0: batches load on the consumer's thread)} */
  public int workers() {
    return workers;
  }

  /** {@return the number of batches loaded ahead} */
  public int prefetch() {
    return prefetch;
  }

  /** {@return the number of unreadable images replaced so far (lenient datasets only)} */
  public long skippedImages() {
    return skipped.get();
  }

  /**
   * Starts loading one epoch and returns its batches in order; cancels a previous unfinished epoch.
   *
   * @param epoch the epoch number passed to the sampler
   * @return an iterator over {@link AgeBatchSampler#batchesPerEpoch()} batches; its {@code next()}
   *     blocks until the batch is ready and throws {@link UncheckedIOException} for an unreadable
   *     image (strict datasets) and {@link IllegalStateException} once the loader is closed
   * @throws IllegalStateException if the loader is closed
   */
  public Iterator<PairBatch> epoch(long epoch) {
    synchronized (lock) {
      checkState(!closed, "PairLoader.epoch(%s) called after close()", epoch);
      if (current != null) {
        current.cancel();
      }
      current = new EpochIterator(epoch);
      return current;
    }
  }

  /**
   * Loads one batch synchronously on the calling thread (for validation or inspection).
   *
   * @param epoch the epoch number
   * @param batch the batch index in [0, {@link AgeBatchSampler#batchesPerEpoch()})
   * @return the batch, equal to the one {@link #epoch(long)} yields at that index
   */
  public PairBatch load(long epoch, int batch) {
    checkState(!closed, "PairLoader.load(%s, %s) called after close()", epoch, batch);
    return loadBatch(epoch, batch, sampler.batch(epoch, batch));
  }

  private PairBatch loadBatch(long epoch, int index, List<PairSpec> specs) {
    int n = specs.size();
    int res = augmentation.resolution();
    int len = 3 * res * res;
    float[] a = new float[n * len];
    float[] b = new float[n * len];
    float[] ageA = new float[n];
    float[] ageB = new float[n];
    ImmutableList.Builder<PairSpec> used = ImmutableList.builder();
    for (int i = 0; i < n; i++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("loading cancelled");
      }
      PairSpec s = specs.get(i);
      PairAugmentation.Params p = augmentation.draw(s.augmentationSeed());
      int[] ageIndex = {s.ageIndexA()};
      BufferedImage imgA = read(s.identity(), ageIndex);
      int ai = ageIndex[0];
      ageIndex[0] = s.ageIndexB();
      BufferedImage imgB = read(s.identity(), ageIndex);
      int bi = ageIndex[0];
      augmentation.apply(imgA, p, a, i * len);
      augmentation.apply(imgB, p, b, i * len);
      ageA[i] = dataset.ages().get(ai);
      ageB[i] = dataset.ages().get(bi);
      used.add(new PairSpec(s.identity(), ai, bi, s.augmentationSeed()));
    }
    return new PairBatch(epoch, index, res, used.build(), a, b, ageA, ageB);
  }

  /** Reads a cell; in lenient mode walks to the next ages on failure and updates ageIndex[0]. */
  private BufferedImage read(int identity, int[] ageIndex) {
    int ages = dataset.ageCount();
    IOException first = null;
    for (int step = 0; step < (dataset.lenient() ? ages : 1); step++) {
      int a = (ageIndex[0] + step) % ages;
      if (step > 0 && dataset.path(identity, a) == null) {
        continue; // an age this identity lacks (ROOT/{identity}/{age}.jpg layout)
      }
      try {
        BufferedImage img = dataset.image(identity, a);
        ageIndex[0] = a;
        return img;
      } catch (IOException e) {
        if (!dataset.lenient()) {
          throw new UncheckedIOException(e.getMessage(), e);
        }
        if (first == null) {
          first = e;
        }
        skipped.incrementAndGet();
        if (reported.add(dataset.path(identity, a).toString())) {
          LOG.warn("lenient: skipping unreadable image: {}", e.getMessage());
        }
      }
    }
    throw new UncheckedIOException(
        "no readable image of identity " + dataset.identities().get(identity) + " at any age; first"
            + " error: " + first.getMessage(),
        first);
  }

  /**
   * Cancels pending work, stops the workers and waits up to 10 s for them to finish. Idempotent;
   * may be called from any thread (a consumer blocked in {@code next()} then gets an {@link
   * IllegalStateException}).
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (current != null) {
        current.cancel();
      }
    }
    if (pool != null) {
      // shutdownNow() drops queued tasks without completing their futures; cancel them so that no
      // consumer can wait on one forever.
      for (Runnable r : pool.shutdownNow()) {
        if (r instanceof Future) {
          ((Future<?>) r).cancel(false);
        }
      }
      try {
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.warn("PairLoader workers did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class EpochIterator implements Iterator<PairBatch> {
    private final long epoch;
    private final ImmutableList<ImmutableList<PairSpec>> batches;
    private final ArrayDeque<Future<PairBatch>> window = new ArrayDeque<>();
    private int submitted;
    private int returned;
    private boolean cancelled;
    /** The batch the consumer is waiting for (already out of the window), so cancel() reaches it. */
    private Future<PairBatch> waiting;

    EpochIterator(long epoch) {
      this.epoch = epoch;
      this.batches = sampler.epoch(epoch);
      while (submitted < batches.size() && window.size() < prefetch) {
        submitNext();
      }
    }

    private void submitNext() {
      int index = submitted++;
      ImmutableList<PairSpec> specs = batches.get(index);
      if (pool == null) {
        // Synchronous mode: run when asked for, on the consumer's thread.
        window.add(new FutureTask<>(() -> loadBatch(epoch, index, specs)));
      } else {
        window.add(pool.submit(() -> loadBatch(epoch, index, specs)));
      }
    }

    /**
     * Returns whether batches remain. After {@link PairLoader#close()} an unfinished epoch still
     * answers true, so that {@code next()} reports the close instead of the epoch looking complete;
     * an epoch replaced by a newer {@code epoch()} call answers false.
     */
    @Override
    public boolean hasNext() {
      synchronized (lock) {
        return (closed || !cancelled) && returned < batches.size();
      }
    }

    @Override
    public PairBatch next() {
      Future<PairBatch> f;
      synchronized (lock) {
        checkState(!closed, "PairLoader iterator used after close()");
        checkState(!cancelled, "this epoch's iterator was cancelled by a newer epoch() call");
        if (returned >= batches.size()) {
          throw new NoSuchElementException(
              "epoch " + epoch + " has only " + batches.size() + " batches");
        }
        f = window.poll();
        waiting = f;
      }
      if (f instanceof FutureTask && pool == null) {
        ((FutureTask<PairBatch>) f).run();
      }
      PairBatch batch;
      try {
        batch = f.get();
      } catch (CancellationException e) {
        throw new IllegalStateException(
            closed ? "PairLoader closed while waiting for a batch" : "batch loading was cancelled",
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancelUnderLock();
        throw new IllegalStateException("interrupted while waiting for a batch", e);
      } catch (ExecutionException e) {
        cancelUnderLock();
        if (closed) {
          // close() interrupted the worker of the batch this thread was waiting for.
          throw new IllegalStateException("PairLoader closed while waiting for a batch", e);
        }
        Throwable c = e.getCause();
        if (c instanceof RuntimeException) {
          throw (RuntimeException) c;
        }
        if (c instanceof Error) {
          throw (Error) c;
        }
        throw new IllegalStateException("batch loading failed", c);
      }
      synchronized (lock) {
        waiting = null;
        returned++;
        if (!cancelled && !closed && submitted < batches.size()) {
          submitNext();
        }
      }
      return batch;
    }

    private void cancelUnderLock() {
      synchronized (lock) {
        cancel();
      }
    }

    /** Cancels the pending batches; called with {@link #lock} held. */
    void cancel() {
      cancelled = true;
      if (waiting != null) {
        // In synchronous mode the consumer itself runs the task: do not interrupt it.
        waiting.cancel(pool != null);
      }
      for (Future<PairBatch> f : window) {
        f.cancel(true);
      }
      window.clear();
    }
  }

  /** Builds a {@link PairLoader}. Not thread-safe. */
  public static final class Builder {
    private final AgeDataset dataset;
    private final AgeBatchSampler sampler;
    private PairAugmentation augmentation;
    private int workers = Math.min(4, Runtime.getRuntime().availableProcessors());
    private int prefetch;

    private Builder(AgeDataset dataset, AgeBatchSampler sampler) {
      this.dataset = checkNotNull(dataset, "dataset");
      this.sampler = checkNotNull(sampler, "sampler");
    }

    /**
     * Sets the augmentation (default: the reference's, at the dataset's resolution).
     *
     * @param augmentation the augmentation; its resolution sets the batch resolution
     * @return this builder
     */
    public Builder optAugmentation(PairAugmentation augmentation) {
      this.augmentation = checkNotNull(augmentation, "augmentation");
      return this;
    }

    /**
     * Sets the number of worker threads.
     *
     * @param workers 0 (load on the consumer thread) to 64; default {@code min(4, cores)}
     * @return this builder
     */
    public Builder optWorkers(int workers) {
      checkArgument(workers >= 0 && workers <= 64, "workers must be in [0, 64], got %s", workers);
      this.workers = workers;
      return this;
    }

    /**
     * Sets how many batches may be loading or waiting at once (the bound on memory).
     *
     * @param batches at least 1; default twice the workers (at least 2)
     * @return this builder
     */
    public Builder optPrefetch(int batches) {
      checkArgument(batches >= 1 && batches <= 1024, "prefetch must be in [1, 1024], got %s",
          batches);
      this.prefetch = batches;
      return this;
    }

    /** {@return the loader, with its worker threads started} */
    public PairLoader build() {
      return new PairLoader(this);
    }
  }
}
