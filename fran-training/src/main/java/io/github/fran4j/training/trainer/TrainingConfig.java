package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.training.loss.LossWeights;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a training run needs: the {@link Hyperparameters} (what is learned; their JSON is the
 * resume key), the {@link RunOptions} (folders, epochs, limits, device, display) and the recipe the
 * settings started from. Immutable and thread-safe; build with {@link #builder(Path, Path)}, whose
 * {@code opt*} setters cover both halves, so callers need not care which half a setting is in.
 */
public final class TrainingConfig {
  private final Hyperparameters hyperparameters;
  private final RunOptions options;
  private final TrainingRecipe recipe;

  private TrainingConfig(Hyperparameters hyperparameters, RunOptions options,
      TrainingRecipe recipe) {
    this.hyperparameters = hyperparameters;
    this.options = options;
    this.recipe = recipe;
  }

  /**
   * Returns a builder.
   *
   * @param dataDir the training dataset ({@code ROOT/<age>/<identity>.<ext>})
   * @param runDir the run directory (created if needed)
   * @return a builder with the reference defaults
   */
  public static Builder builder(Path dataDir, Path runDir) {
    return new Builder(Hyperparameters.builder(), RunOptions.builder(dataDir, runDir),
        TrainingRecipe.REFERENCE);
  }

  /** {@return a builder pre-filled with this configuration} */
  public Builder toBuilder() {
    return new Builder(hyperparameters.toBuilder(), options.toBuilder(), recipe);
  }

  /** {@return what the run learns; its JSON is the resume key} */
  public Hyperparameters hyperparameters() {
    return hyperparameters;
  }

  /** {@return how the run is carried out} */
  public RunOptions options() {
    return options;
  }

  /** {@return the recipe the settings started from (informational; the settings decide)} */
  public TrainingRecipe recipe() {
    return recipe;
  }

  /**
   * Returns every setting as JSON (for {@code run.json}): the hyperparameters, the options and the
   * recipe in one object.
   *
   * @return a new JSON object
   */
  public JsonObject toJson() {
    JsonObject o = hyperparameters.toJson();
    for (Map.Entry<String, com.google.gson.JsonElement> e : options.toJson().entrySet()) {
      o.add(e.getKey(), e.getValue());
    }
    o.addProperty("recipe", recipe.name().toLowerCase(java.util.Locale.ROOT));
    return o;
  }

  @Override
  public String toString() {
    return "TrainingConfig" + toJson();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingConfig c && hyperparameters.equals(c.hyperparameters)
        && options.equals(c.options) && recipe == c.recipe;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hyperparameters, options, recipe);
  }

  /**
   * Builds a {@link TrainingConfig}: each {@code opt*} setter goes to the hyperparameters or the
   * run options (see their builders for the defaults). Not thread-safe.
   */
  public static final class Builder {
    private Hyperparameters.Builder hp;
    private final RunOptions.Builder run;
    private TrainingRecipe recipe;

    private Builder(Hyperparameters.Builder hp, RunOptions.Builder run, TrainingRecipe recipe) {
      this.hp = hp;
      this.run = run;
      this.recipe = recipe;
    }

    /**
     * Applies a recipe's hyperparameters (see {@link TrainingRecipe}); later {@code opt*} calls
     * override them. The default is {@link TrainingRecipe#REFERENCE}.
     *
     * @param v the recipe
     * @return this builder
     */
    public Builder optRecipe(TrainingRecipe v) {
      recipe = checkNotNull(v, "recipe");
      hp.optRecipe(v);
      return this;
    }

    /**
     * Replaces every hyperparameter (e.g. those of a checkpoint or a model's provenance).
     *
     * @param v the hyperparameters; their {@link Hyperparameters#lpips()} must match whether an
     *     LPIPS weights file is set when {@link #build()} is called
     * @return this builder
     */
    public Builder optHyperparameters(Hyperparameters v) {
      hp = checkNotNull(v, "hyperparameters").toBuilder();
      return this;
    }

    /**
     * Sets the generator architecture. See {@link Hyperparameters.Builder#optUNet}.
     *
     * @param v the architecture; its training resolution sets the image size
     * @return this builder
     */
    public Builder optUNet(UNetConfig v) {
      hp.optUNet(v);
      return this;
    }

    /**
     * Sets the discriminator's width. See {@link Hyperparameters.Builder#optDiscriminatorWidth}.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optDiscriminatorWidth(int v) {
      hp.optDiscriminatorWidth(v);
      return this;
    }

    /**
     * Sets the pairs per batch. See {@link Hyperparameters.Builder#optIdentitiesPerBatch}.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optIdentitiesPerBatch(int v) {
      hp.optIdentitiesPerBatch(v);
      return this;
    }

    /**
     * Overrides the batches per epoch. See {@link Hyperparameters.Builder#optBatchesPerEpoch}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optBatchesPerEpoch(int v) {
      hp.optBatchesPerEpoch(v);
      return this;
    }

    /**
     * Sets the generator's learning rate. See {@link Hyperparameters.Builder#optLrG}.
     *
     * @param v positive
     * @return this builder
     */
    public Builder optLrG(double v) {
      hp.optLrG(v);
      return this;
    }

    /**
     * Sets the discriminator's learning rate. See {@link Hyperparameters.Builder#optLrD}.
     *
     * @param v positive
     * @return this builder
     */
    public Builder optLrD(double v) {
      hp.optLrD(v);
      return this;
    }

    /**
     * Sets the StepLR schedule. See {@link Hyperparameters.Builder#optLrSchedule(int, double)}.
     *
     * @param stepEpochs period in epochs, at least 1
     * @param gamma factor in (0, 1]
     * @return this builder
     */
    public Builder optLrSchedule(int stepEpochs, double gamma) {
      hp.optLrSchedule(stepEpochs, gamma);
      return this;
    }

    /**
     * Sets the learning-rate schedule. See
     * {@link Hyperparameters.Builder#optLrSchedule(LrSchedule, long)}.
     *
     * @param kind the schedule
     * @param steps for {@link LrSchedule#COSINE_STEPS}, the steps the cosine spans (0: the run's
     *     length)
     * @return this builder
     */
    public Builder optLrSchedule(LrSchedule kind, long steps) {
      hp.optLrSchedule(kind, steps);
      return this;
    }

    /**
     * Sets the linear learning-rate warm-up. See
     * {@link Hyperparameters.Builder#optLrWarmupSteps}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optLrWarmupSteps(long v) {
      hp.optLrWarmupSteps(v);
      return this;
    }

    /**
     * Sets the adversarial warm-up. See
     * {@link Hyperparameters.Builder#optAdversarialWarmupSteps}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optAdversarialWarmupSteps(long v) {
      hp.optAdversarialWarmupSteps(v);
      return this;
    }

    /**
     * Sets the detail term's weight. See {@link Hyperparameters.Builder#optDetailWeight}.
     *
     * @param v finite and non-negative
     * @return this builder
     */
    public Builder optDetailWeight(double v) {
      hp.optDetailWeight(v);
      return this;
    }

    /**
     * Scales the initial output layer. See {@link Hyperparameters.Builder#optOutputInitScale}.
     *
     * @param v in [0, 1]
     * @return this builder
     */
    public Builder optOutputInitScale(double v) {
      hp.optOutputInitScale(v);
      return this;
    }

    /**
     * Sets the training pairs' rotation range. See
     * {@link Hyperparameters.Builder#optMaxRotationDegrees}.
     *
     * @param v in [0, 45] degrees
     * @return this builder
     */
    public Builder optMaxRotationDegrees(double v) {
      hp.optMaxRotationDegrees(v);
      return this;
    }

    /**
     * Sets the loss weights. See {@link Hyperparameters.Builder#optLossWeights}.
     *
     * @param v the weights
     * @return this builder
     */
    public Builder optLossWeights(LossWeights v) {
      hp.optLossWeights(v);
      return this;
    }

    /**
     * Sets the seed. See {@link Hyperparameters.Builder#optSeed}.
     *
     * @param v any value
     * @return this builder
     */
    public Builder optSeed(long v) {
      hp.optSeed(v);
      return this;
    }

    /**
     * Limits validation. See {@link Hyperparameters.Builder#optValidationBatches}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optValidationBatches(int v) {
      hp.optValidationBatches(v);
      return this;
    }

    /**
     * Sets the LPIPS weights file (default none) and with it whether the loss has an LPIPS term
     * ({@link Hyperparameters#lpips()}).
     *
     * @param v a safetensors file, or null
     * @return this builder
     */
    public Builder optLpipsWeights(Path v) {
      run.optLpipsWeights(v);
      hp.optLpips(v != null);
      return this;
    }

    /**
     * Sets the validation dataset. See {@link RunOptions.Builder#optValDir}.
     *
     * @param v the folder, or null
     * @return this builder
     */
    public Builder optValDir(Path v) {
      run.optValDir(v);
      return this;
    }

    /**
     * Sets the number of epochs. See {@link RunOptions.Builder#optEpochs}.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optEpochs(int v) {
      run.optEpochs(v);
      return this;
    }

    /**
     * Sets a total step limit. See {@link RunOptions.Builder#optMaxSteps}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optMaxSteps(long v) {
      run.optMaxSteps(v);
      return this;
    }

    /**
     * Sets a wall-clock training budget. See {@link RunOptions.Builder#optTimeBudget}.
     *
     * @param v a positive duration, or null for none
     * @return this builder
     */
    public Builder optTimeBudget(java.time.Duration v) {
      run.optTimeBudget(v);
      return this;
    }

    /**
     * Sets how many checkpoints to keep. See {@link RunOptions.Builder#optKeepCheckpoints}.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optKeepCheckpoints(int v) {
      run.optKeepCheckpoints(v);
      return this;
    }

    /**
     * Sets the pairs in each sample grid. See {@link RunOptions.Builder#optSampleCount}.
     *
     * @param v 0 (no grids) or more
     * @return this builder
     */
    public Builder optSampleCount(int v) {
      run.optSampleCount(v);
      return this;
    }

    /**
     * Sets the loader's worker threads. See {@link RunOptions.Builder#optWorkers}.
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optWorkers(int v) {
      run.optWorkers(v);
      return this;
    }

    /**
     * Turns the progress bar on or off. See {@link RunOptions.Builder#optProgressBar}.
     *
     * @param v whether to show it
     * @return this builder
     */
    public Builder optProgressBar(boolean v) {
      run.optProgressBar(v);
      return this;
    }

    /**
     * Sets the device. See {@link RunOptions.Builder#optDevice}.
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      run.optDevice(v);
      return this;
    }

    /**
     * Sets the micro-batches per optimiser step. See {@link Hyperparameters.Builder#optAccumulate}.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optAccumulate(int v) {
      hp.optAccumulate(v);
      return this;
    }

    /**
     * Starts from a pretrained generator. See {@link RunOptions.Builder#optInitGenerator}.
     *
     * @param v the weights file, or null
     * @return this builder
     */
    public Builder optInitGenerator(Path v) {
      run.optInitGenerator(v);
      return this;
    }

    /**
     * Starts from a pretrained discriminator. See {@link RunOptions.Builder#optInitDiscriminator}.
     *
     * @param v the weights file, or null
     * @return this builder
     */
    public Builder optInitDiscriminator(Path v) {
      run.optInitDiscriminator(v);
      return this;
    }

    /**
     * Skips unreadable images instead of refusing the dataset. See
     * {@link RunOptions.Builder#optLenient}.
     *
     * @param v whether to read the datasets leniently
     * @return this builder
     */
    public Builder optLenient(boolean v) {
      run.optLenient(v);
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException if the hyperparameters use LPIPS and no weights file is set,
     *     or the other way round
     */
    public TrainingConfig build() {
      Hyperparameters h = hp.build();
      RunOptions o = run.build();
      checkArgument(h.lpips() == o.lpipsWeights().isPresent(),
          "the hyperparameters %s LPIPS but %s LPIPS weights file is set",
          h.lpips() ? "use" : "do not use", o.lpipsWeights().isPresent() ? "an" : "no");
      return new TrainingConfig(h, o, recipe);
    }
  }
}
