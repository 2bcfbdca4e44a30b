package io.github.fran4j.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.backend.PureJavaBackendProvider;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.spi.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every backend meets at the {@link ReAger} level, on the same {@code .safetensors}
 * model: odd sizes, batch and sweep, age maps, close under load, the device-unavailable contract,
 * and pixels within 1 level of the pure-Java reference backend. One subclass per backend names it
 * in {@link #backend()}; other modules reach this class through fran-core's test-jar.
 */
public abstract class ReAgerConformanceTest {
  /** The fixture case every test runs on: depth 3 (size multiple 8), blur-pool, transposed. */
  protected static final String CASE = "transposed_d3_w4_blur";

  /** A fresh temporary directory per test. */
  @TempDir protected Path tempDir;

  /**
   * Returns the backend under test, a {@link io.github.fran4j.core.spi.BackendProvider#name()}.
   *
   * @return the provider name
   */
  protected abstract String backend();

  /**
   * Returns a builder for the backend under test on the fixture model (CPU, one thread).
   *
   * @return the builder
   */
  protected ReAger.Builder builder() {
    return ReAger.builder().setModel(model()).optBackend(backend()).optDevice(Device.CPU)
        .optThreads(1);
  }

  /**
   * Returns the fixture model file, copied into {@link #tempDir}.
   *
   * @return the {@code .safetensors} file
   */
  protected Path model() {
    Path p = tempDir.resolve(CASE + ".safetensors");
    if (!p.toFile().exists()) {
      Fixtures.unetWeightsFile(CASE, tempDir);
    }
    return p;
  }

  /**
   * Odd sizes (not multiples of the model's 2^depth) keep their size and give the reference
   * backend's pixels within 1 level: padding is the model's, not the backend's.
   *
   * @param size width * 1000 + height
   * @throws Exception on failure
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {63_065, 17_031, 8_008, 5_003})
  public void oddSizesMatchThePureJavaReference(int size) throws Exception {
    int w = size / 1000;
    int h = size % 1000;
    BufferedImage img = Fixtures.randomRgbImage(w, h, size);
    BufferedImage mine;
    BufferedImage ref;
    try (ReAger r = builder().build()) {
      mine = r.reage(img, 30, 75);
    }
    try (ReAger r = ReAger.builder().setModel(model()).optBackend(PureJavaBackendProvider.NAME)
        .build()) {
      ref = r.reage(img, 30, 75);
    }
    assertThat(mine.getWidth()).isEqualTo(w);
    assertThat(mine.getHeight()).isEqualTo(h);
    assertThat(maxLevelDifference(mine, ref)).as("%s vs pure-java at %sx%s", backend(), w, h)
        .isLessThanOrEqualTo(1);
    assertThat(maxLevelDifference(mine, img)).as("the model changes the image").isPositive();
  }

  /**
   * The model's bytes, held in memory, give exactly the file's pixels on this backend.
   *
   * @throws Exception on failure
   */
  @Test
  public void modelBytesGiveTheFilesPixels() throws Exception {
    BufferedImage img = Fixtures.randomRgbImage(17, 31, 9);
    BufferedImage fromFile;
    try (ReAger r = builder().build()) {
      fromFile = r.reage(img, 40, 20);
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(model());
    try (ReAger r = ReAger.builder().setModel(bytes, "upload").optBackend(backend())
        .optDevice(Device.CPU).optThreads(1).build()) {
      assertThat(r.describe()).startsWith(backend());
      assertThat(maxLevelDifference(r.reage(img, 40, 20), fromFile)).isZero();
    }
  }

  /**
   * A sweep equals one call per target age, whatever the batch size.
   *
   * @throws Exception on failure
   */
  @Test
  public void sweepEqualsSingleCallsForEveryBatchSize() throws Exception {
    BufferedImage img = Fixtures.randomRgbImage(21, 13, 3);
    List<BufferedImage> singles = new ArrayList<>();
    try (ReAger r = builder().optBatchSize(1).build()) {
      for (double t : new double[] {10, 40, 70}) {
        singles.add(r.reage(img, 30, t));
      }
    }
    for (int batch : new int[] {1, 2, 4}) {
      try (ReAger r = builder().optBatchSize(batch).build()) {
        List<BufferedImage> sweep = r.sweep(img, 30, 10, 40, 70);
        assertThat(sweep).hasSize(3);
        for (int i = 0; i < 3; i++) {
          assertThat(maxLevelDifference(sweep.get(i), singles.get(i)))
              .as("batch %s, target %s", batch, i).isLessThanOrEqualTo(1);
        }
      }
    }
  }

  /**
   * A constant age map is the same call as a constant age, and a per-pixel map (70 on the left,
   * 20 on the right) gives a different image: the map reaches the model.
   *
   * @throws Exception on failure
   */
  @Test
  public void ageMapsReachThePixels() throws Exception {
    BufferedImage img = Fixtures.randomRgbImage(24, 16, 9);
    try (ReAger r = builder().build()) {
      BufferedImage constant = r.reage(img, AgeMap.constant(30), AgeMap.constant(70));
      BufferedImage same = r.reage(img, 30, 70);
      assertThat(maxLevelDifference(constant, same)).isZero();
      float[] ages = new float[24 * 16];
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 24; x++) {
          ages[y * 24 + x] = x < 12 ? 70f : 20f;
        }
      }
      BufferedImage mapped = r.reage(img, AgeMap.constant(30), AgeMap.perPixel(ages, 24, 16));
      assertThat(maxLevelDifference(mapped, constant)).as("a map differs from its constant")
          .isPositive();
    }
  }

  /**
   * Closing while other threads re-age: every call either finishes with a full image or fails
   * with {@link IllegalStateException}; nothing else, no hang.
   *
   * @throws Exception on failure
   */
  @Test
  public void closeUnderLoadFailsCallsCleanly() throws Exception {
    BufferedImage img = Fixtures.randomRgbImage(16, 16, 1);
    ReAger r = builder().build();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch started = new CountDownLatch(3);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        futures.add(pool.submit(() -> {
          started.countDown();
          int done = 0;
          for (int i = 0; i < 200; i++) {
            try {
              assertThat(r.reage(img, 20, 60).getWidth()).isEqualTo(16);
              done++;
            } catch (IllegalStateException e) {
              assertThat(e).hasMessageContaining("closed");
              return done;
            }
          }
          return done;
        }));
      }
      started.await();
      r.close();
      for (Future<Integer> f : futures) {
        f.get();
      }
      assertThatThrownBy(() -> r.reage(img, 20, 60)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    } finally {
      pool.shutdownNow();
      r.close();
    }
  }

  /**
   * A CUDA device that cannot be used is a {@link DeviceUnavailableException} naming the device,
   * whatever the backend (skipped where the backend can use CUDA device 99, which none can).
   *
   * @throws Exception on failure
   */
  @Test
  public void unusableDeviceIsDeviceUnavailable() throws Exception {
    assertThatThrownBy(() -> builder().optDevice(Device.cuda(99)).build())
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("cuda:99");
  }

  /**
   * Returns the largest per-channel difference in levels between two 8-bit RGB images.
   *
   * @param a an image
   * @param b an image of the same size
   * @return the largest |a - b| over pixels and channels
   */
  protected static int maxLevelDifference(BufferedImage a, BufferedImage b) {
    assertThat(a.getWidth()).isEqualTo(b.getWidth());
    assertThat(a.getHeight()).isEqualTo(b.getHeight());
    int max = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s < 24; s += 8) {
          max = Math.max(max, Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF)));
        }
      }
    }
    return max;
  }
}
