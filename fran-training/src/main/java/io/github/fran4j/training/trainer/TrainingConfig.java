package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.training.loss.LossWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a training run needs: data and run folders, architecture, optimisation and schedule,
 * loss weights, seed and bookkeeping. Defaults are the reference's (width 64, 256x256, 4 identities
 * per batch, Adam 1e-4 / 1e-5, StepLR every 5 epochs x 0.9, loss weights 1 / 1 / 0.05, 100
 * epochs). Immutable and thread-safe; build with {@link #builder(Path, Path)} and the {@code opt*} setters.
 *
 * <p>The settings that determine the trained weights form the {@linkplain #resumeKey() resume key};
 * a run directory only resumes with the same key.
 */
public final class TrainingConfig {
  private final Path dataDir;
  private final Path valDir;
  private final Path runDir;
  private final UNetConfig unet;
  private final int discriminatorWidth;
  private final int epochs;
  private final int identitiesPerBatch;
  private final int batchesPerEpoch;
  private final double lrG;
  private final double lrD;
  private final int lrStepEpochs;
  private final double lrGamma;
  private final LossWeights lossWeights;
  private final Path lpipsWeights;
  private final long seed;
  private final long maxSteps;
  private final int keepCheckpoints;
  private final int validationBatches;
  private final int sampleCount;
  private final int workers;
  private final boolean progressBar;
  private final Device device;
  private final TrainingRecipe recipe;
  private final LrSchedule lrSchedule;
  private final long lrScheduleSteps;
  private final long lrWarmupSteps;
  private final long adversarialWarmupSteps;
  private final double outputInitScale;

  private TrainingConfig(Builder b) {
    dataDir = b.dataDir;
    valDir = b.valDir;
    runDir = b.runDir;
    unet = b.unet;
    discriminatorWidth = b.discriminatorWidth;
    epochs = b.epochs;
    identitiesPerBatch = b.identitiesPerBatch;
    batchesPerEpoch = b.batchesPerEpoch;
    lrG = b.lrG;
    lrD = b.lrD;
    lrStepEpochs = b.lrStepEpochs;
    lrGamma = b.lrGamma;
    lossWeights = b.lossWeights;
    lpipsWeights = b.lpipsWeights;
    seed = b.seed;
    maxSteps = b.maxSteps;
    keepCheckpoints = b.keepCheckpoints;
    validationBatches = b.validationBatches;
    sampleCount = b.sampleCount;
    workers = b.workers;
    progressBar = b.progressBar;
    device = b.device;
    recipe = b.recipe;
    lrSchedule = b.lrSchedule;
    lrScheduleSteps = b.lrScheduleSteps;
    lrWarmupSteps = b.lrWarmupSteps;
    adversarialWarmupSteps = b.adversarialWarmupSteps;
    outputInitScale = b.outputInitScale;
  }

  /**
   * Returns a builder.
   *
   * @param dataDir the training dataset ({@code ROOT/<age>/<identity>.<ext>})
   * @param runDir the run directory (created if needed)
   * @return a builder with the reference defaults
   */
  public static Builder builder(Path dataDir, Path runDir) {
    return new Builder(dataDir, runDir);
  }

  /** {@return a builder pre-filled with this configuration} */
  public Builder toBuilder() {
    Builder b = new Builder(dataDir, runDir);
    b.valDir = valDir;
    b.unet = unet;
    b.discriminatorWidth = discriminatorWidth;
    b.epochs = epochs;
    b.identitiesPerBatch = identitiesPerBatch;
    b.batchesPerEpoch = batchesPerEpoch;
    b.lrG = lrG;
    b.lrD = lrD;
    b.lrStepEpochs = lrStepEpochs;
    b.lrGamma = lrGamma;
    b.lossWeights = lossWeights;
    b.lpipsWeights = lpipsWeights;
    b.seed = seed;
    b.maxSteps = maxSteps;
    b.keepCheckpoints = keepCheckpoints;
    b.validationBatches = validationBatches;
    b.sampleCount = sampleCount;
    b.workers = workers;
    b.progressBar = progressBar;
    b.recipe = recipe;
    b.lrSchedule = lrSchedule;
    b.lrScheduleSteps = lrScheduleSteps;
    b.lrWarmupSteps = lrWarmupSteps;
    b.adversarialWarmupSteps = adversarialWarmupSteps;
    b.outputInitScale = outputInitScale;
    return b;
  }

  /** {@return the training dataset folder} */
  public Path dataDir() {
    return dataDir;
  }

  /** {@return the validation dataset folder, if one was given} */
  public Optional<Path> valDir() {
    return Optional.ofNullable(valDir);
  }

  /** {@return the run directory} */
  public Path runDir() {
    return runDir;
  }

  /** {@return the generator architecture; its training resolution is the image size} */
  public UNetConfig unet() {
    return unet;
  }

  /** {@return the discriminator's first-layer width} */
  public int discriminatorWidth() {
    return discriminatorWidth;
  }

  /** {@return the number of epochs to train to (a resumed run continues up to this many)} */
  public int epochs() {
    return epochs;
  }

  /** {@return the identities (pairs) per batch} */
  public int identitiesPerBatch() {
    return identitiesPerBatch;
  }

  /** {@return the batches per epoch, or 0 for the sampler's default (identities x ages / 2k)} */
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** {@return the generator's base learning rate} */
  public double lrG() {
    return lrG;
  }

  /** {@return the discriminator's base learning rate} */
  public double lrD() {
    return lrD;
  }

  /** {@return the StepLR period in epochs} */
  public int lrStepEpochs() {
    return lrStepEpochs;
  }

  /** {@return the StepLR factor} */
  public double lrGamma() {
    return lrGamma;
  }

  /** {@return the loss weights} */
  public LossWeights lossWeights() {
    return lossWeights;
  }

  /** {@return the LPIPS weights file, if any (without it, training runs without LPIPS)} */
  public Optional<Path> lpipsWeights() {
    return Optional.ofNullable(lpipsWeights);
  }

  /** {@return the seed for initialisation, sampling, augmentation and wrong ages} */
  public long seed() {
    return seed;
  }

  /** {@return the total step limit (0 = none); the run checkpoints and stops when reached} */
  public long maxSteps() {
    return maxSteps;
  }

  /** {@return how many checkpoints are kept} */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** {@return the validation batches per epoch (0 = the whole validation set)} */
  public int validationBatches() {
    return validationBatches;
  }

  /** {@return how many validation pairs the sample grids show} */
  public int sampleCount() {
    return sampleCount;
  }

  /** {@return the data loader's worker threads} */
  public int workers() {
    return workers;
  }

  /** {@return whether a console progress bar is shown} */
  public boolean progressBar() {
    return progressBar;
  }

  /** {@return the device to train on} */
  public Device device() {
    return device;
  }

  /** {@return the recipe the settings started from (informational; the settings decide)} */
  public TrainingRecipe recipe() {
    return recipe;
  }

  /** {@return how the learning rates change over the run} */
  public LrSchedule lrSchedule() {
    return lrSchedule;
  }

  /**
   * Returns the steps the cosine schedule spans (after which the rate stays at its floor); 0 means
   * the planned run: epochs x batches per epoch ({@link #maxSteps()} stops a run without changing
   * its schedule).
   *
   * @return the steps the cosine schedule spans, or 0 for the planned run
   */
  public long lrScheduleSteps() {
    return lrScheduleSteps;
  }

  /** {@return the steps of linear learning-rate warm-up (0 = none)} */
  public long lrWarmupSteps() {
    return lrWarmupSteps;
  }

  /**
   * Returns the steps trained with L1 (and LPIPS) only: until then the adversarial weight is 0 and
   * the discriminator is not trained.
   *
   * @return the adversarial warm-up in steps
   */
  public long adversarialWarmupSteps() {
    return adversarialWarmupSteps;
  }

  /**
   * Returns the factor applied to the generator's output convolution after initialisation: 1 is
   * PyTorch's default init, 0 starts the generator at "no change" (the identity baseline).
   *
   * @return the output convolution's initial scale
   */
  public double outputInitScale() {
    return outputInitScale;
  }

  /**
   * Returns the learning rate of an epoch under StepLR: {@code base * gamma^floor(epoch / step)}.
   *
   * @param base the base rate
   * @param epoch the 0-based epoch
   * @return the rate
   */
  public double learningRate(double base, long epoch) {
    return base * Math.pow(lrGamma, Math.floorDiv(epoch, lrStepEpochs));
  }

  /**
   * Returns the learning rate of a step under {@link #lrSchedule()}, with the linear warm-up.
   * {@link LrSchedule#STEP_EPOCHS}: StepLR by epoch as in {@link #learningRate(double, long)}.
   * {@link LrSchedule#COSINE_STEPS}: from {@code base} down to {@code base * 0.05} along a half
   * cosine over {@code span} steps, then constant.
   *
   * @param base the base rate
   * @param epoch the 0-based epoch
   * @param step the 0-based global step about to run
   * @param span the steps the cosine spans ({@link #lrScheduleSteps()} resolved by the trainer)
   * @return the rate
   */
  public double learningRate(double base, long epoch, long step, long span) {
    double warm = lrWarmupSteps > 0 && step < lrWarmupSteps
        ? (step + 1) / (double) lrWarmupSteps : 1.0;
    if (lrSchedule == LrSchedule.STEP_EPOCHS) {
      return warm * learningRate(base, epoch);
    }
    double t = Math.min(1.0, step / (double) Math.max(1, span));
    double floor = 0.05;
    return warm * base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  /**
   * Returns the settings that determine the trained weights, as JSON. Paths, epoch count, step
   * limit, checkpoint count, workers and display settings are excluded.
   *
   * @return a JSON object
   */
  public JsonObject resumeKey() {
    JsonObject o = new JsonObject();
    o.addProperty("unet", unet.toJson());
    o.addProperty("discriminator_width", discriminatorWidth);
    o.addProperty("identities_per_batch", identitiesPerBatch);
    o.addProperty("batches_per_epoch", batchesPerEpoch);
    o.addProperty("lr_g", lrG);
    o.addProperty("lr_d", lrD);
    o.addProperty("lr_step_epochs", lrStepEpochs);
    o.addProperty("lr_gamma", lrGamma);
    o.addProperty("loss_l1", lossWeights.l1());
    o.addProperty("loss_lpips", lpipsWeights == null ? 0.0 : lossWeights.lpips());
    o.addProperty("loss_adversarial", lossWeights.adversarial());
    o.addProperty("lpips", lpipsWeights != null);
    o.addProperty("seed", seed);
    o.addProperty("validation_batches", validationBatches);
    // Recipe settings join the key only when they differ from the reference's, so that
    // checkpoints written before they existed still resume.
    if (lrSchedule != LrSchedule.STEP_EPOCHS) {
      o.addProperty("lr_schedule", lrSchedule.name());
      o.addProperty("lr_schedule_steps", lrScheduleSteps);
    }
    if (lrWarmupSteps != 0) {
      o.addProperty("lr_warmup_steps", lrWarmupSteps);
    }
    if (adversarialWarmupSteps != 0) {
      o.addProperty("adversarial_warmup_steps", adversarialWarmupSteps);
    }
    if (outputInitScale != 1.0) {
      o.addProperty("output_init_scale", outputInitScale);
    }
    return o;
  }

  /**
   * Lists the resume-key settings that differ from a stored key.
   *
   * @param stored a key written by an earlier run
   * @return e.g. {@code ["seed: checkpoint 1, now 2"]}; empty when resuming is allowed
   */
  public List<String> resumeMismatches(JsonObject stored) {
    JsonObject now = resumeKey();
    List<String> out = new ArrayList<>();
    for (String k : now.keySet()) {
      String a = stored.has(k) ? stored.get(k).toString() : "(absent)";
      String b = now.get(k).toString();
      if (!a.equals(b)) {
        out.add(k + ": checkpoint " + a + ", now " + b);
      }
    }
    return out;
  }

  /** {@return every setting as JSON (for the run's metadata)} */
  public JsonObject toJson() {
    JsonObject o = resumeKey();
    o.addProperty("data", dataDir.toString());
    o.addProperty("val", valDir == null ? null : valDir.toString());
    o.addProperty("run", runDir.toString());
    o.addProperty("epochs", epochs);
    o.addProperty("max_steps", maxSteps);
    o.addProperty("lpips_weights", lpipsWeights == null ? null : lpipsWeights.toString());
    o.addProperty("keep_checkpoints", keepCheckpoints);
    o.addProperty("workers", workers);
    o.addProperty("recipe", recipe.name().toLowerCase(java.util.Locale.ROOT));
    return o;
  }

  @Override
  public String toString() {
    return "TrainingConfig" + toJson();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingConfig && toJson().equals(((TrainingConfig) o).toJson())
        && progressBar == ((TrainingConfig) o).progressBar
        && sampleCount == ((TrainingConfig) o).sampleCount;
  }

  @Override
  public int hashCode() {
    return Objects.hash(toJson().toString(), progressBar, sampleCount);
  }

  /** Builds a {@link TrainingConfig}. Not thread-safe. */
  public static final class Builder {
    private final Path dataDir;
    private final Path runDir;
    private Path valDir;
    private UNetConfig unet = UNetConfig.reference();
    private int discriminatorWidth = 64;
    private int epochs = 100;
    private int identitiesPerBatch = 4;
    private int batchesPerEpoch;
    private double lrG = 1e-4;
    private double lrD = 1e-5;
    private int lrStepEpochs = 5;
    private double lrGamma = 0.9;
    private LossWeights lossWeights = LossWeights.DEFAULT;
    private Path lpipsWeights;
    private long seed;
    private long maxSteps;
    private int keepCheckpoints = 3;
    private int validationBatches;
    private int sampleCount = 4;
    private int workers = Math.min(2, Runtime.getRuntime().availableProcessors());
    private boolean progressBar = true;
    private Device device = Device.AUTO;
    private TrainingRecipe recipe = TrainingRecipe.REFERENCE;
    private LrSchedule lrSchedule = LrSchedule.STEP_EPOCHS;
    private long lrScheduleSteps;
    private long lrWarmupSteps;
    private long adversarialWarmupSteps;
    private double outputInitScale = 1.0;

    private Builder(Path dataDir, Path runDir) {
      this.dataDir = checkNotNull(dataDir, "dataDir");
      this.runDir = checkNotNull(runDir, "runDir");
    }

    /**
     * Sets the validation dataset (default: none; validation then uses fixed training pairs).
     *
     * @param v the folder, or null
     * @return this builder
     */
    public Builder optValDir(Path v) {
      valDir = v;
      return this;
    }

    /**
     * Sets the generator architecture (default {@link UNetConfig#reference()}).
     *
     * @param v the architecture; its training resolution sets the image size
     * @return this builder
     */
    public Builder optUNet(UNetConfig v) {
      unet = checkNotNull(v, "unet");
      return this;
    }

    /**
     * Sets the discriminator's first-layer width (default 64).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optDiscriminatorWidth(int v) {
      checkArgument(v >= 1, "discriminatorWidth must be >= 1, got %s", v);
      discriminatorWidth = v;
      return this;
    }

    /**
     * Sets the number of epochs (default 100).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optEpochs(int v) {
      checkArgument(v >= 1, "epochs must be >= 1, got %s", v);
      epochs = v;
      return this;
    }

    /**
     * Sets the identities (pairs) per batch (default 4, a mini-batch of 8 images).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optIdentitiesPerBatch(int v) {
      checkArgument(v >= 1, "identitiesPerBatch must be >= 1, got %s", v);
      identitiesPerBatch = v;
      return this;
    }

    /**
     * Overrides the batches per epoch (default 0: identities x ages / (2 x identitiesPerBatch)).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optBatchesPerEpoch(int v) {
      checkArgument(v >= 0, "batchesPerEpoch must be >= 0, got %s", v);
      batchesPerEpoch = v;
      return this;
    }

    /**
     * Sets the generator's learning rate (default 1e-4).
     *
     * @param v positive
     * @return this builder
     */
    public Builder optLrG(double v) {
      checkArgument(v > 0 && Double.isFinite(v), "lrG must be positive, got %s", v);
      lrG = v;
      return this;
    }

    /**
     * Sets the discriminator's learning rate (default 1e-5).
     *
     * @param v positive
     * @return this builder
     */
    public Builder optLrD(double v) {
      checkArgument(v > 0 && Double.isFinite(v), "lrD must be positive, got %s", v);
      lrD = v;
      return this;
    }

    /**
     * Sets the StepLR schedule (default every 5 epochs x 0.9).
     *
     * @param stepEpochs period in epochs, at least 1
     * @param gamma factor in (0, 1]
     * @return this builder
     */
    public Builder optLrSchedule(int stepEpochs, double gamma) {
      checkArgument(stepEpochs >= 1, "lr step must be >= 1 epoch, got %s", stepEpochs);
      checkArgument(gamma > 0 && gamma <= 1, "lr gamma must be in (0, 1], got %s", gamma);
      lrStepEpochs = stepEpochs;
      lrGamma = gamma;
      return this;
    }

    /**
     * Sets the loss weights (default 1 / 1 / 0.05).
     *
     * @param v the weights
     * @return this builder
     */
    public Builder optLossWeights(LossWeights v) {
      lossWeights = checkNotNull(v, "lossWeights");
      return this;
    }

    /**
     * Sets the LPIPS weights file (default none: no LPIPS term).
     *
     * @param v a safetensors file, or null
     * @return this builder
     */
    public Builder optLpipsWeights(Path v) {
      lpipsWeights = v;
      return this;
    }

    /**
     * Sets the seed (default 0).
     *
     * @param v any value
     * @return this builder
     */
    public Builder optSeed(long v) {
      seed = v;
      return this;
    }

    /**
     * Sets a total step limit (default 0: none).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optMaxSteps(long v) {
      checkArgument(v >= 0, "maxSteps must be >= 0, got %s", v);
      maxSteps = v;
      return this;
    }

    /**
     * Sets how many checkpoints to keep (default 3).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optKeepCheckpoints(int v) {
      checkArgument(v >= 1, "keepCheckpoints must be >= 1, got %s", v);
      keepCheckpoints = v;
      return this;
    }

    /**
     * Limits validation to this many batches per epoch (default 0: all).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optValidationBatches(int v) {
      checkArgument(v >= 0, "validationBatches must be >= 0, got %s", v);
      validationBatches = v;
      return this;
    }

    /**
     * Sets how many validation pairs each sample grid shows (default 4).
     *
     * @param v 0 (no grids) or more
     * @return this builder
     */
    public Builder optSampleCount(int v) {
      checkArgument(v >= 0, "sampleCount must be >= 0, got %s", v);
      sampleCount = v;
      return this;
    }

    /**
     * Sets the loader's worker threads (default min(2, cores)).
     *
     * @param v 0 (load on the training thread) or more
     * @return this builder
     */
    public Builder optWorkers(int v) {
      checkArgument(v >= 0, "workers must be >= 0, got %s", v);
      workers = v;
      return this;
    }

    /**
     * Turns the console progress bar on or off (default on).
     *
     * @param v whether to show it
     * @return this builder
     */
    public Builder optProgressBar(boolean v) {
      progressBar = v;
      return this;
    }

    /**
     * Sets the device to train on (default {@link Device#AUTO}: DJL's default, a GPU when its
     * PyTorch natives are a CUDA build and one is visible, else the CPU). An explicit CUDA device
     * fails {@link GanTrainer#create} with a clear message where it cannot be used. Not part of
     * the settings a resumed run must repeat: a run may continue on another device.
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      device = checkNotNull(v, "device");
      return this;
    }

    /**
     * Applies a recipe's settings (see {@link TrainingRecipe}); later {@code opt*} calls override
     * them. The default is {@link TrainingRecipe#REFERENCE}.
     *
     * @param v the recipe
     * @return this builder
     */
    public Builder optRecipe(TrainingRecipe v) {
      recipe = checkNotNull(v, "recipe");
      v.apply(this);
      return this;
    }

    /**
     * Sets the learning-rate schedule (default {@link LrSchedule#STEP_EPOCHS}).
     *
     * @param kind the schedule
     * @param steps for {@link LrSchedule#COSINE_STEPS}, the steps the cosine spans (0: the run's
     *     length)
     * @return this builder
     */
    public Builder optLrSchedule(LrSchedule kind, long steps) {
      checkNotNull(kind, "kind");
      checkArgument(steps >= 0, "schedule steps must be >= 0, got %s", steps);
      lrSchedule = kind;
      lrScheduleSteps = steps;
      return this;
    }

    /**
     * Sets the steps of linear learning-rate warm-up (default 0).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optLrWarmupSteps(long v) {
      checkArgument(v >= 0, "lrWarmupSteps must be >= 0, got %s", v);
      lrWarmupSteps = v;
      return this;
    }

    /**
     * Sets the steps trained without the adversarial term and without discriminator updates
     * (default 0: adversarial from the first step, as the reference).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optAdversarialWarmupSteps(long v) {
      checkArgument(v >= 0, "adversarialWarmupSteps must be >= 0, got %s", v);
      adversarialWarmupSteps = v;
      return this;
    }

    /**
     * Scales the generator's output convolution after initialisation (default 1: PyTorch's
     * init). 0 makes the untrained generator predict no change.
     *
     * @param v in [0, 1]
     * @return this builder
     */
    public Builder optOutputInitScale(double v) {
      checkArgument(v >= 0 && v <= 1, "outputInitScale must be in [0, 1], got %s", v);
      outputInitScale = v;
      return this;
    }

    /** {@return the configuration} */
    public TrainingConfig build() {
      return new TrainingConfig(this);
    }
  }
}
