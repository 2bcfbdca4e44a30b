package io.github.fran4j.examples;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Re-ages every image of a folder with several threads sharing ONE {@link ReAger} (it is
 * thread-safe, and one instance keeps one copy of the model in memory). Each image is a task on
 * an {@link ExecutorService}; the first failure is reported with its file name, and the pool is
 * shut down cleanly whatever happens. Results are written as PNG under the same names.
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.BatchProcessFolder
 * MODEL IN_DIR OUT_DIR INPUT_AGE TARGET_AGE [THREADS]}, e.g. {@code fran.onnx faces/ older/ 30 70 4}
 * (default: one thread per core). With ONNX Runtime, also consider
 * {@code ReAger.builder().optThreads(n)} so that threads x intra-op threads does not exceed the
 * cores.
 */
public final class BatchProcessFolder {
  private BatchProcessFolder() {}

  /**
   * Runs the example.
   *
   * @param args model file, input folder, output folder, input age, target age, and optionally
   *     the number of threads
   * @throws Exception if a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5 && args.length != 6) {
      throw new IllegalArgumentException(
          "usage: BatchProcessFolder MODEL IN_DIR OUT_DIR INPUT_AGE TARGET_AGE [THREADS]");
    }
    int threads = args.length == 6 ? Integer.parseInt(args[5])
        : Runtime.getRuntime().availableProcessors();
    try (ReAger reager = ReAger.load(Path.of(args[0]))) {
      int n = run(reager, Path.of(args[1]), Path.of(args[2]), Double.parseDouble(args[3]),
          Double.parseDouble(args[4]), threads);
      System.out.printf(Locale.ROOT, "re-aged %d images with %d threads on %s%n", n, threads,
          reager.describe());
    }
  }

  /**
   * Re-ages every {@code .png}, {@code .jpg} and {@code .jpeg} file directly in {@code inDir}.
   *
   * @param reager the shared re-ager (not closed here)
   * @param inDir the input folder
   * @param outDir the output folder, created if needed
   * @param inputAge the apparent age in the images
   * @param targetAge the age wanted
   * @param threads the number of worker threads, at least 1
   * @return the number of images written
   * @throws IOException if a folder cannot be listed, or an image cannot be read or written
   * @throws InterruptedException if interrupted while waiting for the workers
   */
  public static int run(ReAger reager, Path inDir, Path outDir, double inputAge, double targetAge,
      int threads) throws IOException, InterruptedException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(inDir)) {
      files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
              .matches(".*\\.(png|jpe?g)"))
          .sorted()
          .collect(Collectors.toList());
    }
    Files.createDirectories(outDir);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (Path in : files) {
        results.add(pool.submit(() -> {
          BufferedImage img = Photos.read(in, Photos.DEFAULT_MAX_PIXELS);
          String name = in.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".png";
          Path out = outDir.resolve(name);
          Photos.write(reager.reage(img, inputAge, targetAge), out);
          return out;
        }));
      }
      for (int i = 0; i < results.size(); i++) {
        try {
          results.get(i).get();
        } catch (ExecutionException e) {
          throw new IOException("re-aging " + files.get(i) + " failed: " + e.getCause(),
              e.getCause());
        }
      }
      return files.size();
    } finally {
      // shutdownNow cancels the remaining tasks when one failed; awaiting makes sure no worker
      // still uses the re-ager when the caller closes it.
      pool.shutdownNow();
      if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("worker threads did not stop within a minute");
      }
    }
  }
}
