package io.github.fran4j.training.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.training.data.AgeBatchSampler;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairLoader;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.model.PatchGanDiscriminator;
import io.github.fran4j.training.model.UNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Training benchmarks (a main, not a test; results in docs/benchmarks.md):
 *
 * <ol>
 *   <li>GAN iteration (G step + D step) at width 64, 256x256, batch 1 and width 16, 64x64, batch 8
 *       (batch = pairs fed to G), for {@link GanTrainer}'s step and for a bare DJL loop doing the
 *       same math (same blocks and losses, DJL's own Adam, arrays prepared once), interleaved in the
 *       same process so that both see the same machine load;
 *   <li>resident set size over 200 trainer steps at width 16, 64x64, batch 8.
 * </ol>
 *
 * <p>Run: {@code java -cp ... io.github.fran4j.training.trainer.TrainingBenchmark [small|large|rss|all]}
 * with {@code GLIBC_TUNABLES} set as in the parent pom.
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  /**
   * Runs the benchmarks.
   *
   * @param args {@code small}, {@code large}, {@code rss} or {@code all} (default)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    Path dir = Files.createTempDirectory("fran-bench");
    System.out.printf("threads: %d cores; GLIBC_TUNABLES=%s%n",
        Runtime.getRuntime().availableProcessors(), System.getenv("GLIBC_TUNABLES"));
    if (which.equals("small") || which.equals("all")) {
      compare(dir, 16, 64, 8, 3, 10);
    }
    if (which.equals("large") || which.equals("all")) {
      compare(dir, 64, 256, 1, 2, 4);
    }
    if (which.equals("rss") || which.equals("all")) {
      rss(dir, 16, 64, 8, 200);
    }
    if (which.equals("rss-bare") || which.equals("all")) {
      rssBare(dir, 16, 64, 8, 200);
    }
    RunDirectory.deleteTree(dir);
  }

  private static TrainingConfig config(Path dir, int width, int size, int batch, String name)
      throws Exception {
    Path data = dir.resolve("data-" + size);
    if (!Files.exists(data)) {
      TinyDatasets.write(data, Math.max(batch, 2), new int[] {20, 50, 80}, size, 1);
    }
    return TrainingConfig.builder(data, dir.resolve(name))
        .optUNet(UNetConfig.builder().optBaseWidth(width).optTrainingResolution(size).build())
        .optDiscriminatorWidth(64)
        .optIdentitiesPerBatch(batch)
        .optWorkers(0)
        .optProgressBar(false)
        .build();
  }

  private static PairBatch batch(TrainingConfig cfg) throws Exception {
    AgeDataset ds = AgeDataset.builder(cfg.options().dataDir())
        .optResolution(cfg.hyperparameters().unet().trainingResolution()).build();
    AgeBatchSampler s = AgeBatchSampler.builder(ds)
        .optIdentitiesPerBatch(cfg.hyperparameters().identitiesPerBatch())
        .build();
    try (PairLoader l = PairLoader.builder(ds, s)
        .optAugmentation(
            PairAugmentation.builder(cfg.hyperparameters().unet().trainingResolution()).build())
        .optWorkers(0).build()) {
      return l.load(0, 0);
    }
  }

  private static void compare(Path dir, int width, int size, int batch, int rounds, int per)
      throws Exception {
    TrainingConfig cfg = config(dir, width, size, batch, "cmp-" + width);
    PairBatch pb = batch(cfg);
    try (GanTrainer t = GanTrainer.create(cfg, false); Bare bare = new Bare(cfg, pb)) {
      for (int i = 0; i < 2; i++) { // warm-up
        long t0 = System.nanoTime();
        t.trainingStep().run(pb, 0, 1e-4, 1e-5);
        long t1 = System.nanoTime();
        bare.step();
        System.out.printf(Locale.ROOT, "warm-up %d: trainer %.1f ms, bare %.1f ms%n", i,
            (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
      }
      double[] tr = new double[rounds * per];
      double[] br = new double[rounds * per];
      int k = 0;
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < per; i++, k++) {
          long t0 = System.nanoTime();
          t.trainingStep().run(pb, 0, 1e-4, 1e-5);
          tr[k] = (System.nanoTime() - t0) / 1e6;
        }
        k -= per;
        for (int i = 0; i < per; i++, k++) {
          long t0 = System.nanoTime();
          bare.step();
          br[k] = (System.nanoTime() - t0) / 1e6;
        }
      }
      double tm = median(tr);
      double bm = median(br);
      System.out.printf(Locale.ROOT,
          "width %d, %dx%d, batch %d: trainer step median %.1f ms (min %.1f), bare DJL loop "
              + "median %.1f ms (min %.1f), ratio %.3f (%d steps each)%n",
          width, size, size, batch, tm, min(tr), bm, min(br), tm / bm, tr.length);
    }
  }

  private static void rss(Path dir, int width, int size, int batch, int steps) throws Exception {
    TrainingConfig cfg = config(dir, width, size, batch, "rss");
    PairBatch pb = batch(cfg);
    try (GanTrainer t = GanTrainer.create(cfg, false)) {
      for (int i = 0; i < 10; i++) {
        t.trainingStep().run(pb, 0, 1e-4, 1e-5);
      }
      StringBuilder sb = new StringBuilder();
      long start = System.nanoTime();
      for (int i = 0; i <= steps; i++) {
        if (i % 25 == 0) {
          sb.append(String.format(Locale.ROOT, " %d:%dMB(heap %dMB)", i, rssMb(),
              Runtime.getRuntime().totalMemory() >> 20));
        }
        if (i < steps) {
          t.trainingStep().run(pb, 0, 1e-4, 1e-5);
        }
      }
      System.out.printf(Locale.ROOT, "RSS over %d steps (width %d, %dx%d, batch %d, %.1f s):%s%n",
          steps, width, size, size, batch, (System.nanoTime() - start) / 1e9, sb);
    }
  }

  private static void rssBare(Path dir, int width, int size, int batch, int steps)
      throws Exception {
    TrainingConfig cfg = config(dir, width, size, batch, "rss-bare");
    PairBatch pb = batch(cfg);
    try (Bare bare = new Bare(cfg, pb)) {
      for (int i = 0; i < 10; i++) {
        bare.step();
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i <= steps; i++) {
        if (i % 25 == 0) {
          sb.append(String.format(Locale.ROOT, " %d:%dMB", i, rssMb()));
        }
        if (i < steps) {
          bare.step();
        }
      }
      System.out.printf(Locale.ROOT, "bare DJL loop RSS over %d steps:%s%n", steps, sb);
    }
  }

  static long rssMb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  /** The same GAN iteration written directly against DJL, with DJL's Adam. */
  private static final class Bare implements AutoCloseable {
    private final NDManager m = NDManager.newBaseManager();
    private final UNet g;
    private final PatchGanDiscriminator d;
    private final Optimizer optG = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-4f))
        .build();
    private final Optimizer optD = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-5f))
        .build();
    private final ParameterStore ps = new ParameterStore(m, false);
    private final NDArray a;
    private final NDArray b;
    private final NDArray ageB;
    private final NDArray wrong;
    private final NDArray gIn;

    Bare(TrainingConfig cfg, PairBatch pb) {
      int res = cfg.hyperparameters().unet().trainingResolution();
      g = new UNet(cfg.hyperparameters().unet());
      g.initialize(m, DataType.FLOAT32, new Shape(1, 5, res, res));
      d = new PatchGanDiscriminator(4, cfg.hyperparameters().discriminatorWidth(), false);
      d.initialize(m, DataType.FLOAT32, new Shape(1, 4, res, res));
      int n = pb.size();
      a = m.create(pb.imagesA(), new Shape(n, 3, res, res));
      b = m.create(pb.imagesB(), new Shape(n, 3, res, res));
      ageB = m.full(new Shape(n, 1, res, res), 0.5f);
      wrong = m.full(new Shape(n, 1, res, res), 0.2f);
      gIn = a.concat(m.full(new Shape(n, 1, res, res), 0.3f), 1).concat(ageB, 1);
    }

    void step() {
      try (NDManager s = m.newSubManager()) {
        d.freezeParameters(true);
        NDArray pred;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          pred = a.add(g.forward(ps, new NDList(gIn), true).singletonOrThrow());
          pred.attach(s);
          NDArray loss = Losses.l1(pred, b).add(Losses.generatorAdversarial(
              d.forward(ps, new NDList(pred.concat(ageB, 1)), true).singletonOrThrow()).mul(0.05f));
          gc.backward(loss);
          loss.getFloat();
        }
        update(g.parametersByName(), optG, s);
        d.freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
            && p.getType() != Parameter.Type.RUNNING_VAR);
        NDArray fake = pred.stopGradient();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray dl = Losses.discriminator(
              d.forward(ps, new NDList(fake.concat(ageB, 1)), true).singletonOrThrow(),
              d.forward(ps, new NDList(b.concat(ageB, 1)), true).singletonOrThrow(),
              d.forward(ps, new NDList(b.concat(wrong, 1)), true).singletonOrThrow());
          gc.backward(dl);
          dl.getFloat();
        }
        update(d.parametersByName(), optD, s);
      }
    }

    private static void update(Map<String, Parameter> params, Optimizer opt, NDManager s) {
      for (Parameter p : params.values()) {
        NDArray w = p.getArray();
        if (p.requiresGradient() && w.hasGradient()) {
          // Not attached to s: DJL's Adam may derive its state arrays from the gradient's manager.
          NDArray grad = w.getGradient();
          opt.update(p.getId(), w, grad);
          grad.subi(grad);
        }
      }
    }

    @Override
    public void close() {
      m.close();
    }
  }
}
