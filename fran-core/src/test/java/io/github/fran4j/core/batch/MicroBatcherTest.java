package io.github.fran4j.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  /** One caller: which size it sends, and how long it sleeps before sending. */
  record Call(int size, int delayMicros) {}

  @Provide
  Arbitrary<List<Call>> calls() {
    Arbitrary<Call> call = Combinators.combine(Arbitraries.of(4, 8),
        Arbitraries.integers().between(0, 2000)).as(Call::new);
    return call.list().ofMinSize(1).ofMaxSize(24);
  }

  @Property(tries = 40)
  void everyCallerGetsItsOwnResultInAnyInterleaving(@ForAll("calls") List<Call> calls,
      @ForAll @IntRange(min = 1, max = 5) int maxBatch,
      @ForAll @IntRange(min = 0, max = 3) int waitMillis) throws Exception {
    RecordingGenerator g = new RecordingGenerator();
    try (MicroBatcher b = MicroBatcher.builder(g).optMaxBatchSize(maxBatch)
        .optMaxWait(Duration.ofMillis(waitMillis)).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<float[]>> results = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < calls.size(); i++) {
        Call c = calls.get(i);
        int id = i;
        CompletableFuture<float[]> f = new CompletableFuture<>();
        results.add(f);
        Thread t = new Thread(() -> {
          try {
            start.await();
            LockSupport.parkNanos(c.delayMicros() * 1000L);
            Tensor out = b.predict(input(id, c.size()));
            assertThat(out.shape()).containsExactly(1, 3, c.size(), c.size());
            f.complete(out.toFloatArray());
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        });
        threads.add(t);
        t.start();
      }
      start.countDown();
      for (int i = 0; i < calls.size(); i++) {
        float[] out = results.get(i).get(30, TimeUnit.SECONDS);
        assertThat(out).containsExactly(expected(i, calls.get(i).size()));
      }
      for (Thread t : threads) {
        t.join();
      }
    }
    // Batches never exceed the limit nor mix sizes, and together hold every call exactly once.
    assertThat(g.batches).allSatisfy(batch -> assertThat(batch.size()).isBetween(1, maxBatch));
    assertThat(g.batches).allSatisfy(batch -> assertThat(batch.stream()
        .map(id -> calls.get(id).size()).distinct()).hasSize(1));
    assertThat(g.batches.stream().mapToInt(List::size).sum()).isEqualTo(calls.size());
  }

  @Test
  void requestsArrivingWhileABatchRunsShareTheNextOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RecordingGenerator g = new RecordingGenerator(release);
    try (MicroBatcher b = MicroBatcher.builder(g).optMaxBatchSize(4)
        .optMaxWait(Duration.ofMillis(1)).build()) {
      CompletableFuture<Tensor> first = b.submit(input(0, 4));
      g.started.await(10, TimeUnit.SECONDS);
      // The worker is blocked in the first batch: these five queue up behind it.
      List<CompletableFuture<Tensor>> rest = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        rest.add(b.submit(input(i, 4)));
      }
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).toFloatArray()).containsExactly(expected(0, 4));
      for (int i = 1; i <= 5; i++) {
        assertThat(rest.get(i - 1).get(10, TimeUnit.SECONDS).toFloatArray())
            .containsExactly(expected(i, 4));
      }
    }
    // First alone, then four (the limit) in arrival order, then the last.
    assertThat(g.batches).containsExactly(List.of(0), List.of(1, 2, 3, 4), List.of(5));
  }

  @Test
  void aFailingBatchFailsEachOfItsCallersAndTheBatcherGoesOn() throws Exception {
    RecordingGenerator g = new RecordingGenerator();
    try (MicroBatcher b = MicroBatcher.builder(g).build()) {
      assertThatThrownBy(() -> b.predict(input(-1, 4)))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("negative id");
      assertThat(b.predict(input(7, 4)).toFloatArray()).containsExactly(expected(7, 4));
    }
  }

  @Test
  void misuseGetsSpecificErrors() throws Exception {
    RecordingGenerator g = new RecordingGenerator();
    assertThatThrownBy(() -> MicroBatcher.builder(g).optMaxBatchSize(0))
        .hasMessage("max batch size must be >= 1, got 0");
    assertThatThrownBy(() -> MicroBatcher.builder(g).optMaxWait(Duration.ofMillis(-1)))
        .hasMessage("max wait must be >= 0, got PT-0.001S");
    assertThatThrownBy(() -> MicroBatcher.builder(g).optQueueCapacity(0))
        .hasMessage("queue capacity must be >= 1, got 0");
    MicroBatcher b = MicroBatcher.builder(g).build();
    assertThatThrownBy(() -> b.submit(Tensor.zeros(2, 5, 4, 4)))
        .hasMessage("MicroBatcher takes one image per call, shape [1, C, H, W]; got [2, 5, 4, 4]");
    b.close();
    b.close();
    assertThatThrownBy(() -> b.submit(input(1, 4))).isInstanceOf(IllegalStateException.class)
        .hasMessage("MicroBatcher is closed");
    assertThat(g.closed).isFalse();
  }

  /** Input of caller {@code id}: channel c of pixel p holds id * 1000 + c * 100 + p. */
  private static Tensor input(int id, int size) {
    int hw = size * size;
    float[] v = new float[5 * hw];
    for (int c = 0; c < 5; c++) {
      for (int p = 0; p < hw; p++) {
        v[c * hw + p] = id * 1000 + c * 100 + p;
      }
    }
    return Tensor.wrap(v, 1, 5, size, size);
  }

  /** What the fake generator returns for caller {@code id}: channel c of the input plus its age. */
  private static float[] expected(int id, int size) {
    int hw = size * size;
    float[] v = new float[3 * hw];
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < hw; p++) {
        v[c * hw + p] = (id * 1000 + c * 100 + p) + (id * 1000 + 400 + p);
      }
    }
    return v;
  }

  /** delta[c] = input[c] + input[4] per sample; records every batch's caller ids and sizes. */
  private static final class RecordingGenerator implements Generator {
    final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release;
    volatile boolean closed;

    RecordingGenerator() {
      this(new CountDownLatch(0));
    }

    RecordingGenerator(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public Tensor predict(Tensor input) {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int[] s = input.shape();
      int hw = s[2] * s[3];
      float[] in = input.toFloatArray();
      float[] out = new float[s[0] * 3 * hw];
      List<Integer> ids = new ArrayList<>();
      for (int n = 0; n < s[0]; n++) {
        int id = Math.round(in[n * 5 * hw] / 1000);
        if (in[n * 5 * hw] < 0) {
          throw new IllegalArgumentException("negative id");
        }
        ids.add(id);
        for (int c = 0; c < 3; c++) {
          for (int p = 0; p < hw; p++) {
            out[(n * 3 + c) * hw + p] = in[(n * 5 + c) * hw + p] + in[(n * 5 + 4) * hw + p];
          }
        }
      }
      batches.add(ids);
      return Tensor.wrap(out, s[0], 3, s[2], s[3]);
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.empty();
    }

    @Override
    public int sizeMultiple() {
      return 1;
    }

    @Override
    public int resolution() {
      return 4;
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
