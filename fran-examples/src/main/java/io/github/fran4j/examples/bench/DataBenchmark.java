package io.github.fran4j.examples.bench;

import io.github.fran4j.training.data.AgeBatchSampler;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairLoader;
import io.github.fran4j.training.data.synth.SyntheticAgingDataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Measures synthetic-dataset generation and {@link PairLoader} throughput; results go to {@code
 * docs/benchmarks.md}. Run after {@code mvn package}:
 *
 * <pre>
 * java -cp fran-examples/target/fran.jar io.github.fran4j.examples.bench.DataBenchmark [SEED_DATA_DIR]
 * </pre>
 *
 * <p>Not a unit test: timings depend on the machine. Writes only to a temporary folder it deletes.
 */
public final class DataBenchmark {
  private DataBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optional: a folder in the age layout with real 256x256 JPEGs (e.g. seed-data/train)
   * @throws Exception on I/O failure
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n",
        System.getProperty("java.version"), cores, Runtime.getRuntime().maxMemory() >> 20);
    Path tmp = Files.createTempDirectory("fran-data-bench");
    try {
      // Warm-up so that JIT compilation is not billed to the first measurement.
      SyntheticAgingDataset.builder().optIdentities(4).optSize(128).optThreads(1).build()
          .write(tmp.resolve("warm"));
      for (int threads : new int[] {1, 2}) {
        Path out = tmp.resolve("synth128-" + threads);
        long t0 = System.nanoTime();
        SyntheticAgingDataset.builder().optIdentities(64).optSize(128).optThreads(threads).build()
            .write(out);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT,
            "synth 64 identities x 16 ages at 128 px, %d thread(s): %.1f s (%.0f images/s)%n",
            threads, s, 1024 / s);
      }
      Path png256 = tmp.resolve("synth256");
      long t0 = System.nanoTime();
      SyntheticAgingDataset.builder().optIdentities(16).optSize(256).optThreads(2).build()
          .write(png256);
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT,
          "synth 16 identities x 16 ages at 256 px, 2 threads: %.1f s (%.0f images/s)%n", s,
          256 / s);
      // The real data are JPEGs: convert, so the loader decodes what it would in training.
      Path jpg256 = tmp.resolve("jpg256");
      try (Stream<Path> files = Files.walk(png256)) {
        for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          Path rel = png256.relativize(p);
          Path dst = jpg256.resolve(rel.toString().replace(".png", ".jpg"));
          Files.createDirectories(dst.getParent());
          BufferedImage img = ImageIO.read(p.toFile());
          ImageIO.write(img, "jpg", dst.toFile());
        }
      }
      loader("synthetic PNG 256", png256, cores);
      loader("synthetic JPEG 256", jpg256, cores);
      if (args.length > 0 && Files.isDirectory(Paths.get(args[0]))) {
        loader("seed-data JPEG 256", Paths.get(args[0]), cores);
      }
    } finally {
      try (Stream<Path> w = Files.walk(tmp)) {
        w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void loader(String label, Path root, int cores) throws IOException {
    AgeDataset ds = AgeDataset.builder(root).optResolution(256).build();
    // Per-image stage costs on this thread: what one worker spends per image.
    PairAugmentation aug = PairAugmentation.builder(256).build();
    float[] dst = new float[3 * 256 * 256];
    BufferedImage img = ds.image(0, 0);
    for (int i = 0; i < 50; i++) {
      aug.apply(ds.image(0, i % ds.ageCount()), aug.draw(i), dst, 0);
    }
    int n = 200;
    long s0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      img = ds.image(i % ds.identityCount(), i % ds.ageCount());
    }
    long s1 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      aug.apply(img, aug.draw(i), dst, 0);
    }
    long s2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "%s, one thread: decode+resize %.2f ms/image, augment %.2f ms/image%n",
        label, (s1 - s0) / 1e6 / n, (s2 - s1) / 1e6 / n);
    for (int workers : cores > 2 ? new int[] {1, 2, cores} : new int[] {1, 2}) {
      AgeBatchSampler sampler =
          AgeBatchSampler.builder(ds).optIdentitiesPerBatch(4).optBatchesPerEpoch(60).build();
      try (PairLoader loader = PairLoader.builder(ds, sampler).optWorkers(workers).build()) {
        drain(loader.epoch(100)); // warm-up
        long t0 = System.nanoTime();
        int pairs = 0;
        for (int e = 0; e < 2; e++) {
          pairs += drain(loader.epoch(e));
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT,
            "loader %s, %d worker(s), batch 4 pairs (8 images): %.1f batches/s, %.0f images/s%n",
            label, workers, pairs / 4.0 / s, 2 * pairs / s);
      }
    }
  }

  private static int drain(Iterator<PairBatch> it) {
    int pairs = 0;
    while (it.hasNext()) {
      pairs += it.next().size();
    }
    return pairs;
  }
}
