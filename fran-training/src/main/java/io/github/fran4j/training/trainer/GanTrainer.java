package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import com.google.gson.JsonObject;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.training.data.AgeBatchSampler;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairLoader;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.loss.Lpips;
import io.github.fran4j.training.loss.WrongAges;
import io.github.fran4j.training.metrics.ReAgingMetrics;
import io.github.fran4j.training.metrics.ReAgingMetrics.Band;
import io.github.fran4j.training.model.NativeArrays;
import io.github.fran4j.training.model.PatchGanDiscriminator;
import io.github.fran4j.training.model.UNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a FRAN generator against a PatchGAN discriminator the way the reference does.
 *
 * <p>Each step: (1) G step with D frozen: prediction = A + G([A, ageA, ageB]); loss = w_l1 L1 +
 * w_lpips LPIPS + w_adv BCE(D([pred, ageB]), 1); Adam on G. (2) D step on the detached prediction:
 * BCE(D([pred, ageB]), 0) + BCE(D([B, ageB]), 1) + BCE(D([B, wrongAge]), 0); Adam on D. Learning
 * rates follow StepLR by epoch. After each epoch: validation (eval mode) with the identity baseline,
 * a {@code metrics.csv} row, charts, a sample grid, a checkpoint and {@code model.safetensors}.
 *
 * <p>Every random choice (batch order, augmentation, wrong ages) is a pure function of the seed,
 * the epoch and the batch, and the checkpoint holds weights, BatchNorm statistics, both Adam states
 * and the position, so a resumed run reproduces an uninterrupted one. {@link #requestStop()}
 * (e.g. from a Ctrl-C hook) lets the current step finish, checkpoints and returns.
 *
 * <p>Holds native memory and loader threads: close it. {@link #fit()} runs on the calling thread;
 * {@link #requestStop()} may be called from any thread; nothing else is thread-safe.
 */
public final class GanTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GanTrainer.class);

  /** How {@link #fit()} ended. */
  public enum Outcome {
    /** All epochs ran. */
    COMPLETED,
    /** {@link #requestStop()} was called; a checkpoint was written. */
    STOPPED,
    /** The step limit was reached; a checkpoint was written. */
    MAX_STEPS
  }

  /**
   * One training step's losses (scalars copied to Java).
   *
   * @param g generator loss
   * @param l1 L1 term
   * @param lpips LPIPS term (NaN without LPIPS)
   * @param adv adversarial term
   * @param d discriminator loss
   */
  public record StepLosses(double g, double l1, double lpips, double adv, double d) {}

  /**
   * The result of {@link #fit()}.
   *
   * @param outcome how it ended
   * @param epoch the 0-based epoch the run stopped in (the epoch count when completed)
   * @param globalStep the training steps taken in total
   * @param metrics every epoch's metrics, resumed epochs included
   */
  public record Result(Outcome outcome, long epoch, long globalStep, List<EpochMetrics> metrics) {}

  /** Observes training; callbacks run on the training thread. */
  public interface Listener {
    /**
     * Called after every training step.
     *
     * @param globalStep the steps taken so far (1 after the first)
     * @param losses the step's losses
     */
    default void onStep(long globalStep, StepLosses losses) {}

    /**
     * Called after every epoch's validation.
     *
     * @param metrics the epoch's row
     */
    default void onEpoch(EpochMetrics metrics) {}
  }

  /** Steps, G, L1, LPIPS, adversarial, D, steps with a D update. */
  private static final int EPOCH_SUMS = 7;

  private final TrainingConfig cfg;
  private final RunDirectory run;
  private final NDManager manager;
  private final UNet g;
  private final PatchGanDiscriminator d;
  private final Adam optG;
  private final Adam optD;
  private final Lpips lpips;
  private final ParameterStore ps;
  private final AgeDataset trainSet;
  private final AgeDataset valSet;
  private final AgeBatchSampler trainSampler;
  private final AgeBatchSampler valSampler;
  private final PairLoader trainLoader;
  private final PairLoader valLoader;
  private final WrongAges wrongAges;
  private final int res;
  private long epoch;
  private int batch;
  private long globalStep;
  private double[] epochSums = new double[EPOCH_SUMS];
  private volatile boolean stopRequested;
  private Listener listener = new Listener() {};
  private boolean closed;

  private GanTrainer(TrainingConfig cfg, boolean resume) throws IOException {
    this.cfg = cfg;
    this.res = cfg.unet().trainingResolution();
    // Before anything touches the run directory: a device that cannot work fails here, cleanly.
    ai.djl.Device device = TrainingDevice.resolve(cfg.device());
    this.run = new RunDirectory(cfg.runDir());
    trainSet = openDataset(cfg.dataDir(), "--data");
    valSet = cfg.valDir().isPresent() ? openDataset(cfg.valDir().get(), "--val") : trainSet;
    if (trainSet.ageCount() < 2) {
      throw new IOException("--data " + cfg.dataDir() + " has only age " + trainSet.ages()
          + "; FRAN training needs at least two age folders");
    }
    run.prepare(resume);
    wrongAges = new WrongAges(trainSet.ages().stream().mapToInt(Integer::intValue).toArray());

    Engine.getInstance().setRandomSeed((int) (cfg.seed() ^ (cfg.seed() >>> 32)));
    manager = NDManager.newBaseManager(device);
    try {
      g = new UNet(cfg.unet());
      // PyTorch's default conv init bound 1/sqrt(fan_in) is Xavier-uniform over fan-in, magnitude 1.
      g.setInitializer(init(), Parameter.Type.WEIGHT);
      g.initialize(manager, DataType.FLOAT32, new Shape(1, cfg.unet().inChannels(), res, res));
      scaleOutputLayer(cfg.outputInitScale());
      d = new PatchGanDiscriminator(4, cfg.discriminatorWidth(), cfg.unet().blurPool());
      d.setInitializer(init(), Parameter.Type.WEIGHT);
      d.initialize(manager, DataType.FLOAT32, new Shape(1, 4, res, res));
      optG = new Adam(g.parametersByName(), manager);
      optD = new Adam(d.parametersByName(), manager);
      ps = new ParameterStore(manager, false);
      if (resume) {
        restoreNewestValid();
      }
      lpips = cfg.lpipsWeights().isPresent() ? loadLpips(cfg.lpipsWeights().get()) : null;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
    if (lpips == null) {
      LOG.warn("LPIPS disabled: no --lpips-weights file given; training with L1 + adversarial "
          + "loss only (recorded in run.json)");
    }
    int k = cfg.identitiesPerBatch();
    AgeBatchSampler.Builder sb =
        AgeBatchSampler.builder(trainSet).optIdentitiesPerBatch(k).optSeed(cfg.seed());
    if (cfg.batchesPerEpoch() > 0) {
      sb.optBatchesPerEpoch(cfg.batchesPerEpoch());
    }
    trainSampler = sb.build();
    valSampler = AgeBatchSampler.builder(valSet).optIdentitiesPerBatch(k)
        .optSeed(cfg.seed() ^ 0x5EEDL).build();
    trainLoader = PairLoader.builder(trainSet, trainSampler)
        .optAugmentation(PairAugmentation.builder(res).build())
        .optWorkers(cfg.workers())
        .build();
    valLoader = PairLoader.builder(valSet, valSampler)
        .optAugmentation(PairAugmentation.none(res))
        .optWorkers(0)
        .build();
  }

  /** Scales the output convolution; 0 makes the untrained generator predict no change. */
  private void scaleOutputLayer(double scale) {
    if (scale == 1.0) {
      return;
    }
    for (String name : List.of(cfg.unet().layout().outWeight(), cfg.unet().layout().outBias())) {
      NDArray a = g.parametersByName().get(name).getArray();
      a.muli((float) scale);
    }
  }

  private static XavierInitializer init() {
    return new XavierInitializer(
        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);
  }

  /**
   * Opens the datasets, prepares the run directory, builds the networks and (with {@code resume})
   * restores the latest checkpoint.
   *
   * @param cfg the settings
   * @param resume whether to continue the run in {@code cfg.runDir()}
   * @return the trainer; the caller closes it
   * @throws IllegalStateException if an explicit CUDA device cannot be used (CPU-only natives,
   *     too few GPUs); nothing is written then
   * @throws IOException if a dataset is invalid, the run directory unusable, the checkpoint
   *     unreadable or made with other settings, or the LPIPS file invalid
   */
  public static GanTrainer create(TrainingConfig cfg, boolean resume) throws IOException {
    checkNotNull(cfg, "cfg");
    return new GanTrainer(cfg, resume);
  }

  private AgeDataset openDataset(Path dir, String option) throws IOException {
    try {
      return AgeDataset.builder(dir).optResolution(res).build();
    } catch (IOException e) {
      throw new IOException(option + " " + dir + " is not a FRAN dataset (expected "
          + "DIR/<age>/<identity>.jpg|png with every identity at every age): " + e.getMessage(), e);
    }
  }

  private Lpips loadLpips(Path file) throws IOException {
    StateDict w;
    try {
      w = SafeTensors.read(file);
    } catch (ModelFormatException e) {
      throw new ModelFormatException("cannot read --lpips-weights " + file + ": " + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new IOException("cannot read --lpips-weights " + file + ": " + e.getMessage(), e);
    }
    try {
      return Lpips.fromStateDict(w, manager);
    } catch (ModelFormatException e) {
      throw new ModelFormatException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Resumes from the newest checkpoint that reads back whole: a damaged newest one (a disk that
   * failed after the rename, a file edited by hand) must not block the run when an older one is
   * good. Each skipped checkpoint is logged with the reason.
   */
  private void restoreNewestValid() throws IOException {
    List<Path> all = new ArrayList<>(run.checkpoints());
    java.util.Collections.reverse(all);
    List<String> skipped = new ArrayList<>();
    for (Path dir : all) {
      Checkpoint c;
      try {
        c = RunDirectory.readCheckpoint(dir);
      } catch (IOException | ModelFormatException e) {
        LOG.warn("skipping checkpoint {}: {}; trying the one before", dir, e.getMessage());
        skipped.add(dir.getFileName() + " (" + e.getMessage() + ")");
        continue;
      }
      restore(dir, c);
      if (!skipped.isEmpty()) {
        LOG.warn("resumed from {} after skipping {} damaged newer checkpoint(s): {}", dir,
            skipped.size(), String.join("; ", skipped));
      }
      return;
    }
    throw new RunDirectoryException("no readable checkpoint to resume in " + run.checkpointsDir()
        + ": " + String.join("; ", skipped) + ". Start a new --out");
  }

  private void restore(Path dir, Checkpoint c) throws IOException {
    List<String> diff = cfg.resumeMismatches(c.resumeKey());
    if (!diff.isEmpty()) {
      throw new RunDirectoryException("cannot resume " + dir + " with different settings: "
          + String.join("; ", diff) + ". Use the original settings or start a new --out");
    }
    g.loadStateDict(c.generator());
    d.loadStateDict(c.discriminator());
    optG.load(c.optimizerG());
    optD.load(c.optimizerD());
    epoch = c.epoch();
    batch = c.batch();
    globalStep = c.globalStep();
    String sums = c.optimizerG().metadata().get("fran.epoch_sums");
    if (sums != null) {
      String[] f = sums.split(",");
      for (int i = 0; i < epochSums.length && i < f.length; i++) {
        epochSums[i] = Double.parseDouble(f[i]);
      }
      if (f.length < EPOCH_SUMS) {
        epochSums[6] = epochSums[0]; // written before the adversarial warm-up existed
      }
    }
    LOG.info("resumed {} at epoch {}, batch {}, step {}", dir, epoch + 1, batch, globalStep);
  }

  /** {@return the generator (for inspection and tests)} */
  public UNet generator() {
    return g;
  }

  /** {@return the discriminator} */
  public PatchGanDiscriminator discriminator() {
    return d;
  }

  /** {@return the run directory} */
  public RunDirectory runDirectory() {
    return run;
  }

  /** {@return whether LPIPS is part of the generator loss} */
  public boolean lpipsEnabled() {
    return lpips != null;
  }

  /**
   * Sets the listener (default: none).
   *
   * @param l the listener
   */
  public void setListener(Listener l) {
    listener = checkNotNull(l, "listener");
  }

  /** Asks {@link #fit()} to stop after the current step and write a checkpoint. Any thread. */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Trains up to {@link TrainingConfig#epochs()} epochs (or the step limit, or a stop request).
   *
   * @return how it ended and the metrics
   * @throws IOException if the data or the run directory fail (the last complete checkpoint is
   *     kept)
   * @throws IllegalStateException if a loss becomes NaN or infinite
   */
  public Result fit() throws IOException {
    checkState(!closed, "fit() called on a closed GanTrainer");
    List<EpochMetrics> history = readMetrics();
    writeRunInfo();
    int bpe = trainSampler.batchesPerEpoch();
    LossWeights w = cfg.lossWeights();
    LOG.info("training {} epochs of {} batches ({} pairs each) at {}x{}, G {} params, LPIPS {}",
        cfg.epochs(), bpe, cfg.identitiesPerBatch(), res, res,
        cfg.unet().layout().trainableParameterCount(), lpips == null ? "off" : "on");
    // The cosine spans the planned run, not --max-steps: a step limit stops a run without
    // changing its schedule, so a resumed run keeps the rates of an uninterrupted one.
    long span = cfg.lrScheduleSteps() > 0 ? cfg.lrScheduleSteps() : (long) cfg.epochs() * bpe;
    boolean limitReached = false;
    while (epoch < cfg.epochs()) {
      long start = System.nanoTime();
      double lrG = cfg.learningRate(cfg.lrG(), epoch, globalStep, span);
      double lrD = cfg.learningRate(cfg.lrD(), epoch, globalStep, span);
      try (ProgressBar pb = progressBar(bpe)) {
        if (batch < bpe) {
          Iterator<PairBatch> it = trainLoader.epoch(epoch);
          for (int b = 0; b < bpe; b++) {
            PairBatch pbatch = next(it);
            if (b < batch) {
              continue; // resumed mid-epoch: the same batches are drawn, the done ones skipped
            }
            lrG = cfg.learningRate(cfg.lrG(), epoch, globalStep, span);
            lrD = cfg.learningRate(cfg.lrD(), epoch, globalStep, span);
            StepLosses l = step(pbatch, lrG, lrD, w);
            globalStep++;
            batch = b + 1;
            accumulate(l);
            listener.onStep(globalStep, l);
            if (pb != null) {
              pb.stepTo(batch);
              pb.setExtraMessage("G " + fmt(l.g()) + " D " + fmt(l.d()));
            }
            boolean limit = cfg.maxSteps() > 0 && globalStep >= cfg.maxSteps();
            if (limit && !stopRequested && batch == bpe) {
              limitReached = true; // a complete epoch: validated and saved as usual, then stop
              break;
            }
            if (stopRequested || limit) {
              checkpoint();
              LOG.info("{} at epoch {}, batch {}/{}, step {}; checkpoint written, continue with "
                  + "--resume", stopRequested ? "stopped" : "step limit reached", epoch + 1, batch,
                  bpe, globalStep);
              List<EpochMetrics> ended = history;
              if (!stopRequested) {
                // A step limit still validates where it ends (not saved to metrics.csv: the
                // epoch is incomplete and a --resume finishes it).
                EpochMetrics m = validate(lrG, lrD, (System.nanoTime() - start) / 1e9);
                LOG.info("validation at step {}: val L1 {} (identity {}), change captured {}",
                    globalStep, fmt(m.valL1()), fmt(m.identityL1()), fmt(m.changeCaptured()));
                ended = new java.util.ArrayList<>(history);
                ended.add(m);
              }
              return new Result(stopRequested ? Outcome.STOPPED : Outcome.MAX_STEPS, epoch,
                  globalStep, ended);
            }
          }
        }
      }
      EpochMetrics m = validate(lrG, lrD, (System.nanoTime() - start) / 1e9);
      history.add(m);
      writeMetrics(history);
      Charts.write(history, run.root());
      epoch++;
      batch = 0;
      epochSums = new double[EPOCH_SUMS];
      checkpoint();
      run.writeModel(g.toStateDict());
      LOG.info("epoch {}/{} (step {}): train G {} D {} | val L1 {} (identity {}) PSNR {} dB "
          + "(identity {}), change captured {}", m.epoch(), cfg.epochs(), globalStep,
          fmt(m.trainG()), fmt(m.trainD()), fmt(m.valL1()), fmt(m.identityL1()),
          fmt(m.valPsnr()), fmt(m.identityPsnr()), fmt(m.changeCaptured()));
      listener.onEpoch(m);
      if (limitReached) {
        return new Result(Outcome.MAX_STEPS, epoch, globalStep, history);
      }
      if (stopRequested) {
        return new Result(Outcome.STOPPED, epoch, globalStep, history);
      }
    }
    return new Result(Outcome.COMPLETED, epoch, globalStep, history);
  }

  /** Formats a figure; NaN (the discriminator is not trained during an L1 warm-up) is "off". */
  private static String fmt(double v) {
    return Double.isNaN(v) ? "off" : String.format(java.util.Locale.ROOT, "%.4f", v);
  }

  private static PairBatch next(Iterator<PairBatch> it) throws IOException {
    try {
      return it.next();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private ProgressBar progressBar(int max) {
    if (!cfg.progressBar()) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName(String.format("epoch %d/%d", epoch + 1, cfg.epochs()))
        .setInitialMax(max)
        .startsFrom(batch, java.time.Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .showSpeed()
        .build();
  }

  private void accumulate(StepLosses l) {
    epochSums[0] += 1;
    epochSums[1] += l.g();
    epochSums[2] += l.l1();
    epochSums[3] += l.lpips();
    if (Double.isFinite(l.d())) { // NaN during the adversarial warm-up
      epochSums[4] += l.adv();
      epochSums[5] += l.d();
      epochSums[6] += 1;
    }
  }

  /** The model inputs of one batch, all in the step's manager. */
  private record Inputs(NDArray a, NDArray b, NDArray ageA, NDArray ageB, NDArray gIn, int n) {}

  private Inputs inputs(NDManager m, PairBatch pb) {
    int n = pb.size();
    Shape img = new Shape(n, 3, res, res);
    NDArray a = NativeArrays.create(m, pb.imagesA(), img);
    NDArray b = NativeArrays.create(m, pb.imagesB(), img);
    NDArray ageA = agePlane(m, pb.agesA(), n);
    NDArray ageB = agePlane(m, pb.agesB(), n);
    NDArray gIn = NDArrays(a, ageA, ageB);
    return new Inputs(a, b, ageA, ageB, gIn, n);
  }

  private static NDArray NDArrays(NDArray a, NDArray ageA, NDArray ageB) {
    return a.concat(ageA, 1).concat(ageB, 1);
  }

  private NDArray agePlane(NDManager m, float[] agesYears, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = agesYears[i] / GeneratorInput.AGE_SCALE; // the SDK's one age encoding
    }
    return NativeArrays.create(m, v, new Shape(n, 1, 1, 1)).broadcast(new Shape(n, 1, res, res));
  }

  private static int[] toInts(float[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = Math.round(a[i]);
    }
    return r;
  }

  private static float[] toYears(int[] a) {
    float[] r = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i];
    }
    return r;
  }

  private static long mix(long seed, long x) {
    long z = seed * 0x9E3779B97F4A7C15L + x;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private NDArray discriminate(NDArray image, NDArray agePlane, boolean training) {
    return d.forward(ps, new NDList(image.concat(agePlane, 1)), training).singletonOrThrow();
  }

  /**
   * Runs one G step and one D step on a batch.
   *
   * @param pb the batch
   * @param lrG the generator's learning rate
   * @param lrD the discriminator's learning rate
   * @param w the loss weights
   * @return the losses
   */
  StepLosses step(PairBatch pb, double lrG, double lrD, LossWeights w) {
    try (NDManager m = manager.newSubManager()) {
      Inputs in = inputs(m, pb);
      int[] wrong = wrongAges.draw(toInts(pb.agesB()),
          new SplittableRandom(mix(cfg.seed(), globalStep)));
      NDArray wrongPlane = agePlane(m, toYears(wrong), in.n());

      // Adversarial warm-up (a recipe option): L1 (+ LPIPS) only, D neither used nor trained.
      boolean adversarial = globalStep >= cfg.adversarialWarmupSteps();
      // G step: D frozen so that it collects no gradient from the generator's loss.
      d.freezeParameters(true);
      NDArray pred;
      double gv;
      double l1v;
      double lpv = Double.NaN;
      double advv = Double.NaN;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray delta = g.forward(ps, new NDList(in.gIn()), true).singletonOrThrow();
        pred = in.a().add(delta);
        NDArray l1 = Losses.l1(pred, in.b());
        NDArray total = l1.mul((float) w.l1());
        if (lpips != null) {
          NDArray lp = lpips.loss(pred, in.b());
          total = total.add(lp.mul((float) w.lpips()));
          lpv = lp.getFloat();
        }
        NDArray adv = null;
        if (adversarial) {
          adv = Losses.generatorAdversarial(discriminate(pred, in.ageB(), true));
          total = total.add(adv.mul((float) w.adversarial()));
        }
        gc.backward(total);
        gv = total.getFloat();
        l1v = l1.getFloat();
        if (adv != null) {
          advv = adv.getFloat();
        }
      }
      optG.step(lrG);
      if (!adversarial) {
        d.freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
            && p.getType() != Parameter.Type.RUNNING_VAR);
        if (!Double.isFinite(gv)) {
          throw new IllegalStateException("loss is not finite at step " + (globalStep + 1)
              + " (G " + gv + "); lower --lr-g or check the data");
        }
        return new StepLosses(gv, l1v, lpv, advv, Double.NaN);
      }
      // Unfreeze all but BatchNorm statistics (the plain form breaks the next forward).
      d.freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
          && p.getType() != Parameter.Type.RUNNING_VAR);

      // D step on the detached prediction.
      NDArray fake = pred.stopGradient();
      double dv;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray dl = Losses.discriminator(
            discriminate(fake, in.ageB(), true),
            discriminate(in.b(), in.ageB(), true),
            discriminate(in.b(), wrongPlane, true));
        gc.backward(dl);
        dv = dl.getFloat();
      }
      optD.step(lrD);
      StepLosses l = new StepLosses(gv, l1v, lpv, advv, dv);
      if (!Double.isFinite(gv) || !Double.isFinite(dv)) {
        throw new IllegalStateException("loss is not finite at step " + (globalStep + 1) + " ("
            + l + "); lower --lr-g / --lr-d or check the data");
      }
      return l;
    }
  }

  private EpochMetrics validate(double lrG, double lrD, double trainSeconds) throws IOException {
    long start = System.nanoTime();
    int nb = valSampler.batchesPerEpoch();
    if (cfg.validationBatches() > 0) {
      nb = Math.min(nb, cfg.validationBatches());
    }
    LossWeights w = cfg.lossWeights();
    double count = 0;
    double sg = 0;
    double sd = 0;
    double sl1 = 0;
    double spsnr = 0;
    double sid = 0;
    double sidPsnr = 0;
    ReAgingMetrics reAging = new ReAgingMetrics();
    for (int b = 0; b < nb; b++) {
      PairBatch pb;
      try {
        pb = valLoader.load(0, b); // the same pairs every epoch, so epochs are comparable
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      try (NDManager m = manager.newSubManager()) {
        Inputs in = inputs(m, pb);
        NDArray pred = in.a().add(g.forward(ps, new NDList(in.gIn()), false).singletonOrThrow());
        NDArray l1 = Losses.l1(pred, in.b());
        NDArray total = l1.mul((float) w.l1());
        if (lpips != null) {
          total = total.add(lpips.loss(pred, in.b()).mul((float) w.lpips()));
        }
        NDArray fakeLogits = discriminate(pred, in.ageB(), false);
        total = total.add(Losses.generatorAdversarial(fakeLogits).mul((float) w.adversarial()));
        int[] wrong = wrongAges.draw(toInts(pb.agesB()), new SplittableRandom(mix(cfg.seed(), -1 - b)));
        NDArray dl = Losses.discriminator(fakeLogits, discriminate(in.b(), in.ageB(), false),
            discriminate(in.b(), agePlane(m, toYears(wrong), in.n()), false));
        int n = in.n();
        sg += total.getFloat() * n;
        sd += dl.getFloat() * n;
        sl1 += l1.getFloat() * n;
        sid += Losses.l1(in.a(), in.b()).getFloat() * n;
        spsnr += mseSum(pred.clip(0f, 1f), in.b());
        sidPsnr += mseSum(in.a(), in.b());
        count += n;
        float[] av = in.a().toFloatArray();
        float[] bv = in.b().toFloatArray();
        float[] shown = pred.clip(0f, 1f).toFloatArray();
        int len = av.length / n;
        for (int i = 0; i < n; i++) {
          reAging.add(av, i * len, bv, i * len, shown, i * len, len, pb.agesB()[i]);
        }
        if (b == 0 && cfg.sampleCount() > 0) {
          writeSamples(av, bv, pred.toFloatArray(), n);
        }
      }
    }
    double c = Math.max(count, 1);
    double steps = Math.max(epochSums[0], 1);
    return new EpochMetrics(
        (int) epoch + 1, globalStep, lrG, lrD,
        epochSums[1] / steps, epochSums[2] / steps,
        lpips == null ? Double.NaN : epochSums[3] / steps,
        epochSums[6] > 0 ? epochSums[4] / epochSums[6] : Double.NaN,
        epochSums[6] > 0 ? epochSums[5] / epochSums[6] : Double.NaN,
        sg / c, sd / c, sl1 / c, psnr(spsnr / c), sid / c, psnr(sidPsnr / c),
        trainSeconds + (System.nanoTime() - start) / 1e9,
        reAging.overall().changeCaptured(), reAging.overall().deltaCorrelation(),
        reAging.band(Band.YOUNG).changeCaptured(), reAging.band(Band.MIDDLE).changeCaptured(),
        reAging.band(Band.OLD).changeCaptured());
  }

  /** Sum over the batch of per-image mean squared errors. */
  private static double mseSum(NDArray x, NDArray y) {
    long n = x.getShape().get(0);
    return x.sub(y).square().mean().getFloat() * n;
  }

  /**
   * PSNR in dB (peak 1) of the mean squared error over all validation pixels. Computed from the
   * pooled MSE rather than averaged per image, because identical pairs (A and B at the same age)
   * have an infinite per-image PSNR.
   */
  private static double psnr(double mse) {
    return 10.0 * Math.log10(1.0 / Math.max(mse, 1e-10));
  }

  private void writeSamples(float[] a, float[] b, float[] p, int n) throws IOException {
    int rows = Math.min(n, cfg.sampleCount());
    Path f = run.samplesDir().resolve(String.format("epoch-%04d.png", epoch + 1));
    Photos.write(SampleGrid.compose(a, b, p, rows, res), f);
  }

  private void checkpoint() throws IOException {
    StateDict.Builder og = optG.state().toBuilder();
    StringBuilder sums = new StringBuilder();
    for (int i = 0; i < epochSums.length; i++) {
      sums.append(i == 0 ? "" : ",").append(epochSums[i]);
    }
    og.putMetadata("fran.epoch_sums", sums.toString());
    StateDict gen = g.toStateDict().toBuilder()
        .putMetadata("fran.training", cfg.resumeKey().toString())
        .build();
    run.writeCheckpoint(new Checkpoint(epoch, batch, globalStep, gen, d.toStateDict(), og.build(),
        optD.state(), cfg.resumeKey()), cfg.keepCheckpoints());
  }

  private List<EpochMetrics> readMetrics() throws IOException {
    List<EpochMetrics> rows = new ArrayList<>();
    Path f = run.metricsFile();
    if (epoch == 0 || !Files.exists(f)) {
      return rows;
    }
    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("epoch")) {
        continue;
      }
      EpochMetrics m = EpochMetrics.fromCsv(line);
      if (m.epoch() <= epoch) { // rows after the checkpoint belong to a run that was cut short
        rows.add(m);
      }
    }
    return rows;
  }

  private void writeMetrics(List<EpochMetrics> rows) throws IOException {
    StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
    for (EpochMetrics m : rows) {
      sb.append(m.toCsv()).append('\n');
    }
    RunDirectory.writeAtomically(run.metricsFile(), sb.toString());
  }

  private void writeRunInfo() throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("format", "fran.training-run");
    o.addProperty("version", 1);
    o.addProperty("started", Instant.now().toString());
    o.add("config", cfg.toJson());
    o.addProperty("lpips", lpips == null
        ? "disabled: no LPIPS weights file given (generator loss = L1 + adversarial)"
        : "enabled: " + cfg.lpipsWeights().get());
    o.addProperty("train_identities", trainSet.identityCount());
    o.addProperty("train_ages", trainSet.ages().toString());
    o.addProperty("val_identities", valSet == trainSet ? 0 : valSet.identityCount());
    o.addProperty("validation", valSet == trainSet
        ? "no --val given: validating on fixed training pairs (not held-out identities)"
        : "held-out dataset " + cfg.valDir().get());
    o.addProperty("batches_per_epoch", trainSampler.batchesPerEpoch());
    o.addProperty("resumed_at_step", globalStep);
    run.writeRunInfo(o);
  }

  /** Stops the loaders and releases all native memory; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    trainLoader.close();
    valLoader.close();
    optG.close();
    optD.close();
    if (lpips != null) {
      lpips.close();
    }
    manager.close();
  }
}
