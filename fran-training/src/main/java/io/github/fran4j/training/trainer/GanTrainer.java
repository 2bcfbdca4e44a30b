package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.training.data.AgeBatchSampler;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.data.DatasetCheck;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairLoader;
import io.github.fran4j.training.loss.Lpips;
import io.github.fran4j.training.loss.WrongAges;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.training.model.CommunityPatchGan;
import io.github.fran4j.training.model.CommunityUNet;
import io.github.fran4j.training.model.DiscriminatorBlock;
import io.github.fran4j.training.model.GeneratorBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a FRAN generator against a PatchGAN discriminator the way the reference does: the epoch
 * and step loop around a {@link TrainingStep} (one G and one D update on a batch) and a
 * {@link Validation} after each epoch, followed by a checkpoint and {@code model.safetensors}.
 * The community U-Net family ({@link Hyperparameters#unet()}'s family) trains with its own
 * discriminator and losses through a {@link CommunityGanStep}, accumulating {@link
 * Hyperparameters#accumulate()} batches per update. A new run may start from pretrained weights of
 * the same family ({@link RunOptions#initGenerator()}, {@link RunOptions#initDiscriminator()}):
 * fine-tuning.
 * What the run shows and records (progress bar, {@code metrics.csv}, {@code losses.csv}, charts,
 * sample grids, {@code run.json}, the log) is written by {@link TrainingListener}s it registers
 * itself; {@link #addListener} adds more. Learning rates follow the {@link Hyperparameters}'
 * schedule.
 *
 * <p>Before the first step every image of the datasets is decoded once: a bad one refuses the run
 * naming the files, or with {@link RunOptions#lenient()} is skipped and counted. Any error during
 * training (an image that breaks later, an engine failure, a listener's I/O error) writes a
 * checkpoint of the steps done before it is rethrown, and its message says where, so
 * {@code --resume} continues from there.
 *
 * <p>Every random choice (batch order, augmentation, wrong ages) is a pure function of the seed,
 * the epoch and the batch, and the checkpoint holds weights, BatchNorm statistics, both Adam states
 * and the position, so a resumed run reproduces an uninterrupted one (unless a time budget,
 * {@link RunOptions#timeBudget()}, let the clock move the learning-rate schedule). {@link
 * #requestStop()} (e.g. from a Ctrl-C hook) lets the current step finish, checkpoints and returns.
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
    MAX_STEPS,
    /**
     * The time budget ({@link RunOptions#timeBudget()}) left less than half an epoch; the run
     * stopped at an epoch boundary and a checkpoint was written.
     */
    TIME_BUDGET
  }

  /**
   * The result of {@link #fit()}.
   *
   * @param outcome how it ended
   * @param epoch the 0-based epoch the run stopped in (the epoch count when completed)
   * @param globalStep the training steps taken in total
   * @param metrics every epoch's metrics, resumed epochs included
   */
  public record Result(Outcome outcome, long epoch, long globalStep, List<EpochMetrics> metrics) {}

  private final TrainingConfig cfg;
  private final Hyperparameters hp;
  private final RunOptions opts;
  private final RunDirectory run;
  private final NDManager manager;
  private final GeneratorBlock g;
  private final DiscriminatorBlock d;
  private final Adam optG;
  private final Adam optD;
  private final Lpips lpips;
  private final AgeDataset trainSet;
  private final AgeDataset valSet;
  private final ImmutableList<String> skippedImages;
  private final AgeBatchSampler trainSampler;
  private final PairLoader trainLoader;
  private final PairLoader valLoader;
  private final GanStep step;
  private final Validation validation;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private final int res;
  private Ticker ticker = Ticker.systemTicker();
  private long epoch;
  private int batch;
  private long globalStep;
  /** The step of the newest checkpoint on disk (-1: none). */
  private long checkpointedStep = -1;
  private Path lastCheckpoint;
  private final EpochSums epochSums = new EpochSums();
  private volatile boolean stopRequested;
  private boolean closed;

  private GanTrainer(TrainingConfig cfg, boolean resume) throws IOException {
    this.cfg = cfg;
    this.hp = cfg.hyperparameters();
    this.opts = cfg.options();
    this.res = hp.unet().trainingResolution();
    // Before anything touches the run directory: a device that cannot work fails here, cleanly.
    ai.djl.Device device = TrainingDevice.resolve(opts.device());
    this.run = new RunDirectory(opts.runDir());
    trainSet = openDataset(opts.dataDir(), "--data");
    valSet = opts.valDir().isPresent() ? openDataset(opts.valDir().get(), "--val") : trainSet;
    if (trainSet.ageCount() < 2) {
      throw new IOException("--data " + opts.dataDir() + " has only age " + trainSet.ages()
          + "; FRAN training needs at least two age folders");
    }
    skippedImages = checkImages();
    run.prepare(resume);
    WrongAges wrongAges =
        new WrongAges(trainSet.ages().stream().mapToInt(Integer::intValue).toArray());

    Engine.getInstance().setRandomSeed((int) (hp.seed() ^ (hp.seed() >>> 32)));
    manager = NDManager.newBaseManager(device);
    ParameterStore ps;
    try {
      g = GeneratorBlock.create(hp.unet());
      // PyTorch's default conv init bound 1/sqrt(fan_in) is Xavier-uniform over fan-in,
      // magnitude 1.
      g.setInitializer(init(), Parameter.Type.WEIGHT);
      g.initialize(manager, DataType.FLOAT32, new Shape(1, hp.unet().inChannels(), res, res));
      d = DiscriminatorBlock.create(hp.unet().family(), hp.discriminatorWidth(),
          hp.unet().blurPool());
      d.setInitializer(init(), Parameter.Type.WEIGHT);
      d.initialize(manager, DataType.FLOAT32, new Shape(1, 4, res, res));
      if (!resume && opts.initGenerator().isPresent()) {
        loadInitWeights();
      } else {
        scaleOutputLayer(hp.outputInitScale());
      }
      optG = new Adam(g.parametersByName(), manager);
      optD = new Adam(d.parametersByName(), manager);
      ps = new ParameterStore(manager, false);
      if (resume) {
        restoreNewestValid();
      }
      lpips = opts.lpipsWeights().isPresent() ? loadLpips(opts.lpipsWeights().get()) : null;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
    if (lpips == null) {
      LOG.warn("LPIPS disabled: no --lpips-weights file given; training with L1 + adversarial "
          + "loss only (recorded in run.json)");
    }
    int k = hp.identitiesPerBatch();
    AgeBatchSampler.Builder sb =
        AgeBatchSampler.builder(trainSet).optIdentitiesPerBatch(k).optSeed(hp.seed());
    if (hp.batchesPerEpoch() > 0) {
      sb.optBatchesPerEpoch(hp.batchesPerEpoch());
    }
    trainSampler = sb.build();
    AgeBatchSampler valSampler = AgeBatchSampler.builder(valSet).optIdentitiesPerBatch(k)
        .optSeed(hp.seed() ^ 0x5EEDL).build();
    trainLoader = PairLoader.builder(trainSet, trainSampler)
        .optAugmentation(PairAugmentation.builder(res)
            .optMaxRotationDegrees(hp.maxRotationDegrees()).build())
        .optWorkers(opts.workers())
        .build();
    valLoader = PairLoader.builder(valSet, valSampler)
        .optAugmentation(PairAugmentation.none(res))
        .optWorkers(0)
        .build();
    GanNetworks nets = new GanNetworks(g, d, lpips, ps, res);
    step = hp.unet().family() == UNetFamily.COMMUNITY
        ? new CommunityTrainingStep(nets, new CommunityGanStep((CommunityUNet) g,
            (CommunityPatchGan) d, optG, optD, lpips, hp.lossWeights(), hp.accumulate(), ps),
            manager)
        : new TrainingStep(nets, optG, optD, wrongAges, hp, manager);
    validation = new Validation(nets, valLoader, wrongAges, hp, opts.sampleCount(), manager);
    registerStandardListeners();
  }

  /** The run directory's files, each written by its own listener. */
  private void registerStandardListeners() {
    if (opts.progressBar()) {
      listeners.add(new ProgressBarListener(opts.epochs()));
    }
    listeners.add(new LogListener(opts.epochs()));
    listeners.add(new RunInfoListener());
    listeners.add(new LossCsvListener(run.lossesFile()));
    listeners.add(new MetricsCsvListener(run.metricsFile()));
    listeners.add(new ChartsListener(run.root()));
    if (opts.sampleCount() > 0) {
      listeners.add(new SampleGridListener(run.samplesDir()));
    }
  }

  /**
   * Decodes every image once; refuses the run naming the bad files, or in lenient mode returns
   * them (the loader then skips them).
   */
  private ImmutableList<String> checkImages() throws IOException {
    ImmutableList.Builder<String> all = ImmutableList.builder();
    all.addAll(DatasetCheck.unreadable(trainSet));
    if (valSet != trainSet) {
      all.addAll(DatasetCheck.unreadable(valSet));
    }
    ImmutableList<String> bad = all.build();
    LOG.info("decoded every image of the dataset{} before the first step: {} unreadable",
        valSet != trainSet ? "s" : "", bad.size());
    if (bad.isEmpty()) {
      return bad;
    }
    if (!opts.lenient()) {
      throw new IOException("the dataset has " + DatasetCheck.describe(bad)
          + ". Replace or remove them, or pass --lenient to skip them");
    }
    LOG.warn("lenient: skipping {}", DatasetCheck.describe(bad));
    return bad;
  }

  /**
   * Starts from pretrained weights ({@link RunOptions#initGenerator()}, optionally {@link
   * RunOptions#initDiscriminator()}): they must be of the hyperparameters' family and sizes (the
   * training resolution aside). The output layer keeps its trained scale.
   */
  private void loadInitWeights() throws IOException {
    Path gFile = opts.initGenerator().get();
    InitWeights init = InitWeights.read(gFile, opts.initDiscriminator().orElse(null),
        hp.unet().family());
    UNetConfig want = hp.unet();
    UNetConfig have = init.config().toBuilder()
        .optTrainingResolution(want.trainingResolution()).optBlurPool(want.blurPool()).build();
    if (!have.equals(want)) {
      throw new ModelFormatException("--init-generator " + gFile + " holds " + init.config()
          + ", but the run is configured for " + want + "; take the architecture from the file");
    }
    g.loadStateDict(init.generator());
    if (init.discriminator().isPresent()) {
      int width = init.discriminatorWidth(hp.discriminatorWidth());
      if (width != hp.discriminatorWidth()) {
        throw new ModelFormatException("--init-discriminator " + init.discriminatorFile().get()
            + " has width " + width + ", but the run is configured for width "
            + hp.discriminatorWidth() + " (--d-width)");
      }
      try {
        d.loadStateDict(init.discriminator().get());
      } catch (ModelFormatException e) {
        throw new ModelFormatException("--init-discriminator " + init.discriminatorFile().get()
            + ": " + e.getMessage(), e);
      }
    }
    LOG.info("starting from {} ({} family){}", gFile, init.family().id(),
        init.discriminatorFile().map(f -> " and " + f).orElse(""));
  }

  /** Scales the output convolution; 0 makes the untrained generator predict no change. */
  private void scaleOutputLayer(double scale) {
    if (scale == 1.0) {
      return;
    }
    for (String name : g.outputLayer()) {
      NDArray a = g.parametersByName().get(name).getArray();
      a.muli((float) scale);
    }
  }

  private static XavierInitializer init() {
    return new XavierInitializer(
        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);
  }

  /**
   * Opens the datasets, decodes every image once, prepares the run directory, builds the networks
   * and (with {@code resume}) restores the newest readable checkpoint.
   *
   * @param cfg the settings
   * @param resume whether to continue the run in the run directory
   * @return the trainer; the caller closes it
   * @throws IllegalStateException if an explicit CUDA device cannot be used (CPU-only natives,
   *     too few GPUs); nothing is written then
   * @throws IOException if a dataset is invalid or (unless lenient) holds unreadable images,
   *     naming them (nothing is written then); if the run directory is unusable, the checkpoint
   *     unreadable or made with other hyperparameters, or the LPIPS file invalid
   */
  public static GanTrainer create(TrainingConfig cfg, boolean resume) throws IOException {
    checkNotNull(cfg, "cfg");
    return new GanTrainer(cfg, resume);
  }

  private AgeDataset openDataset(Path dir, String option) throws IOException {
    try {
      return AgeDataset.builder(dir).optResolution(res).optLenient(opts.lenient()).build();
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
    List<String> diff = hp.mismatches(c.resumeKey());
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
    checkpointedStep = globalStep;
    lastCheckpoint = dir;
    String sums = c.optimizerG().metadata().get("fran.epoch_sums");
    if (sums != null) {
      epochSums.restore(sums);
    }
    LOG.info("resumed {} at epoch {}, batch {}, step {}", dir, epoch + 1, batch, globalStep);
  }

  /** {@return the settings} */
  public TrainingConfig config() {
    return cfg;
  }

  /** {@return the generator (for inspection and tests): a {@code UNet} or a {@code CommunityUNet}} */
  public GeneratorBlock generator() {
    return g;
  }

  /** {@return the discriminator, of the generator's family} */
  public DiscriminatorBlock discriminator() {
    return d;
  }

  /**
   * Returns the training step: the reference family's {@link TrainingStep} (one G and one D update
   * per batch), or the community family's accumulating step. For benchmarks and tests.
   *
   * @return the step
   */
  public GanStep trainingStep() {
    return step;
  }

  /** The loader of the training pairs, with the augmentation the hyperparameters ask for. */
  PairLoader trainLoader() {
    return trainLoader;
  }

  /** {@return the validation run after each epoch} */
  public Validation validation() {
    return validation;
  }

  /** {@return the run directory} */
  public RunDirectory runDirectory() {
    return run;
  }

  /** {@return the training dataset} */
  public AgeDataset trainDataset() {
    return trainSet;
  }

  /** {@return the validation dataset: the training dataset itself when no --val was given} */
  public AgeDataset validationDataset() {
    return valSet;
  }

  /**
   * Returns the images found unreadable before the first step and skipped (lenient mode only; a
   * strict run refuses them).
   *
   * @return one message per image, naming its file
   */
  public List<String> skippedImages() {
    return skippedImages;
  }

  /** {@return whether LPIPS is part of the generator loss} */
  public boolean lpipsEnabled() {
    return lpips != null;
  }

  /** {@return the batches per epoch} */
  public int batchesPerEpoch() {
    return trainSampler.batchesPerEpoch();
  }

  /** {@return the 0-based epoch in progress (the epoch count once completed)} */
  public long epoch() {
    return epoch;
  }

  /** {@return the batches of the current epoch done so far} */
  public int batch() {
    return batch;
  }

  /** {@return the training steps taken so far, resumed ones included} */
  public long globalStep() {
    return globalStep;
  }

  /**
   * Adds a listener after the trainer's own (which write the run directory's files).
   *
   * @param l the listener
   */
  public void addListener(TrainingListener l) {
    listeners.add(checkNotNull(l, "listener"));
  }

  /** Asks {@link #fit()} to stop after the current step and write a checkpoint. Any thread. */
  public void requestStop() {
    stopRequested = true;
  }

  /**
   * Trains up to {@link RunOptions#epochs()} epochs (or the step limit, or a stop request).
   *
   * <p>On any error a checkpoint of the steps done since the last one is written first, and the
   * message of the exception thrown ends with the position and where that checkpoint is.
   *
   * @return how it ended and the metrics
   * @throws IOException if the data or the run directory fail
   * @throws IllegalStateException if a loss becomes NaN or infinite, or a listener fails
   * @throws EngineException if DJL's engine fails
   */
  public Result fit() throws IOException {
    checkState(!closed, "fit() called on a closed GanTrainer");
    try {
      Result r = loop();
      for (TrainingListener l : listeners) {
        l.onTrainingEnd(r);
      }
      return r;
    } catch (IOException | RuntimeException e) {
      Exception out = failed(e);
      if (out instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) out;
    }
  }

  private Result loop() throws IOException {
    List<EpochMetrics> history = MetricsCsvListener.read(run.metricsFile(), epoch);
    for (TrainingListener l : listeners) {
      l.onTrainingBegin(this);
    }
    int bpe = trainSampler.batchesPerEpoch();
    // The cosine spans the planned run, not --max-steps: a step limit stops a run without
    // changing its schedule, so a resumed run keeps the rates of an uninterrupted one.
    long span = hp.lrScheduleSteps() > 0 ? hp.lrScheduleSteps() : (long) opts.epochs() * bpe;
    ScheduleClock clock = new ScheduleClock(ticker, opts.timeBudget().orElse(null), span,
        hp.lrSchedule() == LrSchedule.COSINE_STEPS);
    boolean limitReached = false;
    while (epoch < opts.epochs()) {
      long start = ticker.read();
      double lrG = hp.learningRate(hp.lrG(), epoch, clock.position(globalStep), span);
      double lrD = hp.learningRate(hp.lrD(), epoch, clock.position(globalStep), span);
      for (TrainingListener l : listeners) {
        l.onEpochBegin(epoch, batch, bpe);
      }
      try {
        if (batch < bpe) {
          Iterator<PairBatch> it = trainLoader.epoch(epoch);
          for (int b = 0; b < bpe; b++) {
            PairBatch pbatch = next(it);
            if (b < batch) {
              continue; // resumed mid-epoch: the same batches are drawn, the done ones skipped
            }
            long position = clock.position(globalStep);
            lrG = hp.learningRate(hp.lrG(), epoch, position, span);
            lrD = hp.learningRate(hp.lrD(), epoch, position, span);
            StepLosses l = step.run(pbatch, globalStep, lrG, lrD);
            globalStep++;
            batch = b + 1;
            epochSums.add(l);
            TrainingListener.StepEvent e =
                new TrainingListener.StepEvent(epoch, batch, bpe, globalStep, lrG, lrD, l);
            for (TrainingListener x : listeners) {
              x.onStep(e);
            }
            boolean limit = opts.maxSteps() > 0 && globalStep >= opts.maxSteps();
            if (limit && !stopRequested && batch == bpe) {
              limitReached = true; // a complete epoch: validated and saved as usual, then stop
              break;
            }
            if (stopRequested || limit) {
              step.flush(lrG, lrD);
              checkpoint();
              List<EpochMetrics> ended = history;
              if (!stopRequested) {
                // A step limit still validates where it ends (not saved to metrics.csv: the
                // epoch is incomplete and a --resume finishes it).
                Validation.Result v = validation.run();
                EpochMetrics m = Validation.metrics((int) epoch + 1, globalStep, lrG, lrD,
                    epochSums, lpips != null, v, (ticker.read() - start) / 1e9 - v.seconds());
                LOG.info("validation at step {}: val L1 {} (identity {}), change captured {}",
                    globalStep, LogListener.fmt(m.valL1()), LogListener.fmt(m.identityL1()),
                    LogListener.fmt(m.changeCaptured()));
                ended = new ArrayList<>(history);
                ended.add(m);
              }
              return new Result(stopRequested ? Outcome.STOPPED : Outcome.MAX_STEPS, epoch,
                  globalStep, ended);
            }
          }
        }
        step.flush(lrG, lrD); // an accumulation window cut by the epoch's end
      } finally {
        for (TrainingListener l : listeners) {
          l.onEpochEnd(epoch);
        }
      }
      Validation.Result v = validation.run();
      EpochMetrics m = Validation.metrics((int) epoch + 1, globalStep, lrG, lrD, epochSums,
          lpips != null, v, (ticker.read() - start) / 1e9 - v.seconds());
      history.add(m);
      TrainingListener.ValidationEvent ve =
          new TrainingListener.ValidationEvent(m, List.copyOf(history), v.samples());
      for (TrainingListener l : listeners) {
        l.onValidation(ve);
      }
      epoch++;
      batch = 0;
      epochSums.clear();
      checkpoint();
      // Provenance: what a model file needs to say where it came from (fran inspect shows it).
      run.writeModel(Provenance.builder().setHyperparameters(hp.toJson().toString())
          .setSeed(hp.seed()).setDatasetFingerprint(
              Provenance.datasetFingerprint(cfg.options().dataDir()))
          .setFamily(hp.unet().family()).build().addTo(g.toStateDict()));
      if (limitReached) {
        return new Result(Outcome.MAX_STEPS, epoch, globalStep, history);
      }
      if (stopRequested) {
        return new Result(Outcome.STOPPED, epoch, globalStep, history);
      }
      if (epoch < opts.epochs() && clock.noTimeFor(ticker.read() - start)) {
        return new Result(Outcome.TIME_BUDGET, epoch, globalStep, history);
      }
    }
    return new Result(Outcome.COMPLETED, epoch, globalStep, history);
  }

  /** Replaces the clock the time budget is measured on (tests advance it by hand). */
  @VisibleForTesting
  void useTicker(Ticker t) {
    ticker = checkNotNull(t, "ticker");
  }

  /**
   * Saves the steps done since the last checkpoint, then returns the error to throw, of the same
   * kind (I/O, engine, illegal state), its message ending with the position and where to resume
   * from. An error inside a step may have applied that step's generator update already; the
   * checkpoint keeps it (the work is kept; that one step is then not bit-exact on resume).
   */
  private Exception failed(Exception e) {
    Exception cause = e instanceof UncheckedIOException u && u.getCause() != null
        ? u.getCause() : e;
    String position = "at epoch " + (epoch + 1) + ", batch " + batch + "/"
        + trainSampler.batchesPerEpoch() + ", step " + globalStep;
    String where;
    if (globalStep > checkpointedStep && globalStep > 0) {
      try {
        checkpoint();
        where = position + "; checkpoint written to " + lastCheckpoint
            + ", continue with --resume";
      } catch (IOException | RuntimeException ce) {
        cause.addSuppressed(ce);
        where = position + "; could not write a checkpoint (" + ce.getMessage() + ")"
            + (lastCheckpoint == null ? "" : "; the newest is " + lastCheckpoint);
      }
    } else if (lastCheckpoint != null) {
      where = position + "; the newest checkpoint is " + lastCheckpoint
          + ", continue with --resume";
    } else {
      where = position + "; no step was taken, nothing to checkpoint";
    }
    String msg = (cause.getMessage() == null ? cause.getClass().getSimpleName()
        : cause.getMessage()) + " (" + where + ")";
    Exception out;
    if (cause instanceof IOException) {
      out = new IOException(msg, cause);
    } else if (cause instanceof EngineException
        || cause.getClass().getName().startsWith("ai.djl.")) {
      out = new EngineException(msg, cause);
    } else {
      out = new IllegalStateException(msg, cause);
    }
    for (TrainingListener l : listeners) {
      try {
        l.onTrainingFailed(out, Optional.ofNullable(lastCheckpoint));
      } catch (RuntimeException le) {
        out.addSuppressed(le);
      }
    }
    return out;
  }

  private static PairBatch next(Iterator<PairBatch> it) throws IOException {
    try {
      return it.next();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void checkpoint() throws IOException {
    StateDict.Builder og = optG.state().toBuilder();
    og.putMetadata("fran.epoch_sums", epochSums.toMetadata());
    StateDict gen = g.toStateDict().toBuilder()
        .putMetadata("fran.training", hp.toJson().toString())
        .build();
    Path dir = run.writeCheckpoint(new Checkpoint(epoch, batch, globalStep, gen, d.toStateDict(),
        og.build(), optD.state(), hp.toJson()), opts.keepCheckpoints());
    checkpointedStep = globalStep;
    lastCheckpoint = dir;
    for (TrainingListener l : listeners) {
      l.onCheckpoint(dir, globalStep);
    }
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
