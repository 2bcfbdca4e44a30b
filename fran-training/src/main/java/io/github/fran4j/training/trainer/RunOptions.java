package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import io.github.fran4j.core.spi.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a run is carried out, as opposed to what it learns ({@link Hyperparameters}): the data and
 * run folders, the LPIPS weights file, how many epochs to train to, the step limit, the time
 * budget, checkpoints kept, sample grids, loader threads, the progress bar, the device and whether unreadable images
 * are skipped. A resumed run may change any of them. Immutable and thread-safe; build with
 * {@link #builder(Path, Path)}.
 */
public final class RunOptions {
  private final Path dataDir;
  private final Path valDir;
  private final Path runDir;
  private final Path lpipsWeights;
  private final int epochs;
  private final long maxSteps;
  private final Duration timeBudget;
  private final int keepCheckpoints;
  private final int sampleCount;
  private final int workers;
  private final boolean progressBar;
  private final Device device;
  private final boolean lenient;
  private final Path initGenerator;
  private final Path initDiscriminator;

  private RunOptions(Builder b) {
    dataDir = b.dataDir;
    valDir = b.valDir;
    runDir = b.runDir;
    lpipsWeights = b.lpipsWeights;
    epochs = b.epochs;
    maxSteps = b.maxSteps;
    timeBudget = b.timeBudget;
    keepCheckpoints = b.keepCheckpoints;
    sampleCount = b.sampleCount;
    workers = b.workers;
    progressBar = b.progressBar;
    device = b.device;
    lenient = b.lenient;
    initGenerator = b.initGenerator;
    initDiscriminator = b.initDiscriminator;
  }

  /**
   * Returns a builder.
   *
   * @param dataDir the training dataset ({@code ROOT/<age>/<identity>.<ext>})
   * @param runDir the run directory (created if needed)
   * @return a builder with the defaults
   */
  public static Builder builder(Path dataDir, Path runDir) {
    return new Builder(dataDir, runDir);
  }

  /** {@return a builder pre-filled with these options} */
  public Builder toBuilder() {
    Builder b = new Builder(dataDir, runDir);
    b.valDir = valDir;
    b.lpipsWeights = lpipsWeights;
    b.epochs = epochs;
    b.maxSteps = maxSteps;
    b.timeBudget = timeBudget;
    b.keepCheckpoints = keepCheckpoints;
    b.sampleCount = sampleCount;
    b.workers = workers;
    b.progressBar = progressBar;
    b.device = device;
    b.initGenerator = initGenerator;
    b.initDiscriminator = initDiscriminator;
    b.lenient = lenient;
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

  /** {@return the LPIPS weights file, if any (without it, training runs without LPIPS)} */
  public Optional<Path> lpipsWeights() {
    return Optional.ofNullable(lpipsWeights);
  }

  /** {@return the number of epochs to train to (a resumed run continues up to this many)} */
  public int epochs() {
    return epochs;
  }

  /** {@return the total step limit (0 = none); the run checkpoints and stops when reached} */
  public long maxSteps() {
    return maxSteps;
  }

  /**
   * {@return the wall-clock time this process may train for, if limited} The run stops at the
   * last epoch boundary that fits, and a step-based (cosine) learning-rate schedule follows
   * whichever is further along, the steps or the clock, so that a slow machine still ends its
   * schedule within the budget.
   */
  public Optional<Duration> timeBudget() {
    return Optional.ofNullable(timeBudget);
  }

  /** {@return how many checkpoints are kept} */
  public int keepCheckpoints() {
    return keepCheckpoints;
  }

  /** {@return how many validation pairs the sample grids show (0 = no grids)} */
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

  /**
   * Returns whether unreadable images and incomplete identities are skipped (counted, logged and
   * recorded in {@code run.json}) instead of refusing the dataset before the first step.
   *
   * @return whether the datasets are read leniently
   */
  public boolean lenient() {
    return lenient;
  }

  /**
   * Returns the pretrained generator a new run starts from ({@link InitWeights}); a resumed run
   * starts from its checkpoint instead.
   *
   * @return the weights file, if any
   */
  public Optional<Path> initGenerator() {
    return Optional.ofNullable(initGenerator);
  }

  /** {@return the pretrained discriminator a new run starts from, if any} */
  public Optional<Path> initDiscriminator() {
    return Optional.ofNullable(initDiscriminator);
  }

  /** {@return every option as JSON (for the run's metadata)} */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("data", dataDir.toString());
    o.addProperty("val", valDir == null ? null : valDir.toString());
    o.addProperty("run", runDir.toString());
    o.addProperty("epochs", epochs);
    o.addProperty("max_steps", maxSteps);
    if (timeBudget != null) {
      o.addProperty("time_budget_seconds", timeBudget.toMillis() / 1000.0);
    }
    o.addProperty("lpips_weights", lpipsWeights == null ? null : lpipsWeights.toString());
    o.addProperty("keep_checkpoints", keepCheckpoints);
    o.addProperty("workers", workers);
    o.addProperty("lenient", lenient);
    if (initGenerator != null) {
      o.addProperty("init_generator", initGenerator.toString());
    }
    if (initDiscriminator != null) {
      o.addProperty("init_discriminator", initDiscriminator.toString());
    }
    return o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunOptions r && toJson().equals(r.toJson())
        && sampleCount == r.sampleCount && progressBar == r.progressBar
        && device.equals(r.device);
  }

  @Override
  public int hashCode() {
    return Objects.hash(toJson().toString(), sampleCount, progressBar, device);
  }

  @Override
  public String toString() {
    return "RunOptions" + toJson();
  }

  /** Builds {@link RunOptions}. Not thread-safe. */
  public static final class Builder {
    private final Path dataDir;
    private final Path runDir;
    private Path valDir;
    private Path lpipsWeights;
    private int epochs = 100;
    private long maxSteps;
    private Duration timeBudget;
    private int keepCheckpoints = 3;
    private int sampleCount = 4;
    private int workers = Math.min(2, Runtime.getRuntime().availableProcessors());
    private boolean progressBar = true;
    private Device device = Device.AUTO;
    private boolean lenient;
    private Path initGenerator;
    private Path initDiscriminator;

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
     * Sets a wall-clock budget for this process's training (default none). The run stops at the
     * epoch boundary after which less than half an epoch's time would be left, with a checkpoint
     * ({@link GanTrainer.Outcome#TIME_BUDGET}); under {@link LrSchedule#COSINE_STEPS} the
     * schedule's position is the further of the step count and the elapsed share of the budget.
     * The rates then depend on the machine's speed, so a resumed run is not bit-identical to an
     * uninterrupted one; without a budget nothing depends on time.
     *
     * @param v a positive duration, or null for none
     * @return this builder
     */
    public Builder optTimeBudget(Duration v) {
      checkArgument(v == null || (!v.isNegative() && !v.isZero()),
          "timeBudget must be positive, got %s", v);
      timeBudget = v;
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
     * fails {@link GanTrainer#create} with a clear message where it cannot be used. A run may
     * continue on another device.
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      device = checkNotNull(v, "device");
      return this;
    }

    /**
     * Skips unreadable images and incomplete identities instead of refusing the dataset (default
     * false: every image is decoded before the first step and any bad one stops the run, named).
     *
     * @param v whether to read the datasets leniently
     * @return this builder
     */
    public Builder optLenient(boolean v) {
      lenient = v;
      return this;
    }

    /**
     * Starts a new run from a pretrained generator of either family (default: random weights).
     * Its family and sizes must be those of the hyperparameters' {@link
     * Hyperparameters#unet()}, apart from the training resolution.
     *
     * @param v a {@code .safetensors} or {@code torch.save} file, or null
     * @return this builder
     */
    public Builder optInitGenerator(Path v) {
      initGenerator = v;
      return this;
    }

    /**
     * Starts a new run from a pretrained discriminator of the generator's family (default:
     * random weights). Needs {@link #optInitGenerator}.
     *
     * @param v a {@code .safetensors} or {@code torch.save} file, or null
     * @return this builder
     */
    public Builder optInitDiscriminator(Path v) {
      initDiscriminator = v;
      return this;
    }

    /**
     * Returns the options.
     *
     * @return the options
     * @throws IllegalArgumentException if an init discriminator is set without an init generator
     */
    public RunOptions build() {
      checkArgument(initDiscriminator == null || initGenerator != null,
          "an init discriminator needs an init generator (--init-generator)");
      return new RunOptions(this);
    }
  }
}
