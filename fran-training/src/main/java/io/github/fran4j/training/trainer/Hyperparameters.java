package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.loss.LossWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings that determine the trained weights: architecture, batch shape, optimisation and
 * schedule, loss weights, whether LPIPS is used, and the seed. Their JSON form ({@link #toJson()},
 * versioned) is the <b>resume key</b>: a run directory only resumes with equal hyperparameters
 * ({@link #mismatches(JsonObject)} names each one that differs). Paths, the epoch count, step
 * limits, devices and display settings are {@link RunOptions}, which a resumed run may change.
 *
 * <p>Defaults are the reference's (width 64, 256x256, 4 identities per batch, Adam 1e-4 / 1e-5,
 * StepLR every 5 epochs x 0.9, loss weights 1 / 1 / 0.05). Immutable and thread-safe; build with
 * {@link #builder()}.
 */
public final class Hyperparameters {
  /** The version of {@link #toJson()}; keys written without one are version 1. */
  public static final int VERSION = 1;

  /** The JSON key of the version. */
  static final String VERSION_KEY = "version";

  /** The cosine schedule's floor, as a share of the base rate. */
  private static final double COSINE_FLOOR = 0.05;

  private final UNetConfig unet;
  private final int discriminatorWidth;
  private final int identitiesPerBatch;
  private final int batchesPerEpoch;
  private final double lrG;
  private final double lrD;
  private final int lrStepEpochs;
  private final double lrGamma;
  private final LossWeights lossWeights;
  private final boolean lpips;
  private final long seed;
  private final int validationBatches;
  private final LrSchedule lrSchedule;
  private final long lrScheduleSteps;
  private final long lrWarmupSteps;
  private final long adversarialWarmupSteps;
  private final double outputInitScale;
  private final int accumulate;
  private final double maxRotationDegrees;

  private Hyperparameters(Builder b) {
    unet = b.unet;
    discriminatorWidth = b.discriminatorWidth;
    identitiesPerBatch = b.identitiesPerBatch;
    batchesPerEpoch = b.batchesPerEpoch;
    lrG = b.lrG;
    lrD = b.lrD;
    lrStepEpochs = b.lrStepEpochs;
    lrGamma = b.lrGamma;
    lossWeights = b.lossWeights;
    lpips = b.lpips;
    seed = b.seed;
    validationBatches = b.validationBatches;
    lrSchedule = b.lrSchedule;
    lrScheduleSteps = b.lrScheduleSteps;
    lrWarmupSteps = b.lrWarmupSteps;
    adversarialWarmupSteps = b.adversarialWarmupSteps;
    outputInitScale = b.outputInitScale;
    accumulate = b.accumulate;
    maxRotationDegrees = b.maxRotationDegrees;
  }

  /** {@return a builder with the reference's defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder pre-filled with these hyperparameters} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.unet = unet;
    b.discriminatorWidth = discriminatorWidth;
    b.identitiesPerBatch = identitiesPerBatch;
    b.batchesPerEpoch = batchesPerEpoch;
    b.lrG = lrG;
    b.lrD = lrD;
    b.lrStepEpochs = lrStepEpochs;
    b.lrGamma = lrGamma;
    b.lossWeights = lossWeights;
    b.lpips = lpips;
    b.seed = seed;
    b.validationBatches = validationBatches;
    b.lrSchedule = lrSchedule;
    b.lrScheduleSteps = lrScheduleSteps;
    b.lrWarmupSteps = lrWarmupSteps;
    b.adversarialWarmupSteps = adversarialWarmupSteps;
    b.outputInitScale = outputInitScale;
    b.accumulate = accumulate;
    b.maxRotationDegrees = maxRotationDegrees;
    return b;
  }

  /** {@return the generator architecture; its training resolution is the image size} */
  public UNetConfig unet() {
    return unet;
  }

  /** {@return the discriminator's first-layer width} */
  public int discriminatorWidth() {
    return discriminatorWidth;
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

  /** {@return whether the generator loss has an LPIPS term (the weights file is a run option)} */
  public boolean lpips() {
    return lpips;
  }

  /** {@return the seed for initialisation, sampling, augmentation and wrong ages} */
  public long seed() {
    return seed;
  }

  /** {@return the validation batches per epoch (0 = the whole validation set)} */
  public int validationBatches() {
    return validationBatches;
  }

  /** {@return how the learning rates change over the run} */
  public LrSchedule lrSchedule() {
    return lrSchedule;
  }

  /**
   * Returns the steps the cosine schedule spans (after which the rate stays at its floor); 0 means
   * the planned run: epochs x batches per epoch (a step limit stops a run without changing its
   * schedule).
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
   * Returns the training pairs' rotation range: each pair is rotated by an angle uniform in
   * [-degrees, degrees] ({@link PairAugmentation}); 0 turns rotation off.
   *
   * @return the maximum rotation in degrees (default 3, the reference's)
   */
  public double maxRotationDegrees() {
    return maxRotationDegrees;
  }

  /**
   * Returns the micro-batches whose gradients are averaged into one optimiser step (1: every batch
   * is a step). Only the community family accumulates, as its trainer does (see {@link
   * CommunityGanStep}).
   *
   * @return at least 1
   */
  public int accumulate() {
    return accumulate;
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
    return warm * base * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  /**
   * Returns the versioned JSON form, the resume key. Settings added after version 1 join it only
   * when they differ from the reference's, so that checkpoints written before they existed still
   * resume.
   *
   * @return a new JSON object
   */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty(VERSION_KEY, VERSION);
    o.addProperty("unet", unet.toJson());
    o.addProperty("discriminator_width", discriminatorWidth);
    o.addProperty("identities_per_batch", identitiesPerBatch);
    o.addProperty("batches_per_epoch", batchesPerEpoch);
    o.addProperty("lr_g", lrG);
    o.addProperty("lr_d", lrD);
    o.addProperty("lr_step_epochs", lrStepEpochs);
    o.addProperty("lr_gamma", lrGamma);
    o.addProperty("loss_l1", lossWeights.l1());
    o.addProperty("loss_lpips", lpips ? lossWeights.lpips() : 0.0);
    o.addProperty("loss_adversarial", lossWeights.adversarial());
    if (lossWeights.detail() != 0) {
      o.addProperty("loss_detail", lossWeights.detail());
    }
    o.addProperty("lpips", lpips);
    o.addProperty("seed", seed);
    o.addProperty("validation_batches", validationBatches);
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
    if (accumulate != 1) {
      o.addProperty("accumulate", accumulate);
    }
    if (maxRotationDegrees != PairAugmentation.DEFAULT_MAX_ROTATION_DEGREES) {
      o.addProperty("max_rotation_degrees", maxRotationDegrees);
    }
    return o;
  }

  /**
   * Parses the form written by {@link #toJson()} (a checkpoint's resume key, a model's
   * provenance). Absent optional settings take the reference's values.
   *
   * @param json the JSON object
   * @return the hyperparameters
   * @throws ModelFormatException if the version is newer than this SDK's, or a field is missing,
   *     of the wrong type or out of range; the message names the field
   */
  public static Hyperparameters fromJson(JsonObject json) throws ModelFormatException {
    checkNotNull(json, "json");
    long version = json.has(VERSION_KEY) ? (long) number(json, VERSION_KEY) : 1;
    if (version < 1 || version > VERSION) {
      throw new ModelFormatException("hyperparameters: field 'version' is " + version
          + ", expected 1 to " + VERSION + " (written by a newer SDK?)");
    }
    try {
      Builder b = builder()
          .optUNet(UNetConfig.fromJson(string(json, "unet")))
          .optDiscriminatorWidth((int) number(json, "discriminator_width"))
          .optIdentitiesPerBatch((int) number(json, "identities_per_batch"))
          .optBatchesPerEpoch((int) number(json, "batches_per_epoch"))
          .optLrG(number(json, "lr_g"))
          .optLrD(number(json, "lr_d"))
          .optLrSchedule((int) number(json, "lr_step_epochs"), number(json, "lr_gamma"))
          .optLpips(bool(json, "lpips"))
          .optSeed((long) number(json, "seed"))
          .optValidationBatches((int) number(json, "validation_batches"));
      double lpipsWeight = number(json, "loss_lpips");
      b.optLossWeights(new LossWeights(number(json, "loss_l1"),
          b.lpips ? lpipsWeight : LossWeights.DEFAULT.lpips(), number(json, "loss_adversarial"),
          json.has("loss_detail") ? number(json, "loss_detail") : 0));
      if (json.has("lr_schedule")) {
        String kind = string(json, "lr_schedule");
        LrSchedule s;
        try {
          s = LrSchedule.valueOf(kind);
        } catch (IllegalArgumentException e) {
          throw new ModelFormatException("hyperparameters: field 'lr_schedule' is '" + kind
              + "', expected one of " + java.util.Arrays.toString(LrSchedule.values()));
        }
        b.optLrSchedule(s, (long) number(json, "lr_schedule_steps"));
      }
      if (json.has("lr_warmup_steps")) {
        b.optLrWarmupSteps((long) number(json, "lr_warmup_steps"));
      }
      if (json.has("adversarial_warmup_steps")) {
        b.optAdversarialWarmupSteps((long) number(json, "adversarial_warmup_steps"));
      }
      if (json.has("output_init_scale")) {
        b.optOutputInitScale(number(json, "output_init_scale"));
      }
      if (json.has("accumulate")) {
        b.optAccumulate((int) number(json, "accumulate"));
      }
      if (json.has("max_rotation_degrees")) {
        b.optMaxRotationDegrees(number(json, "max_rotation_degrees"));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("hyperparameters: " + e.getMessage(), e);
    }
  }

  private static JsonElement field(JsonObject o, String name) throws ModelFormatException {
    JsonElement v = o.get(name);
    if (v == null || !v.isJsonPrimitive()) {
      throw new ModelFormatException("hyperparameters: field '" + name + "' is "
          + (v == null ? "missing" : v.toString()) + ", expected a value");
    }
    return v;
  }

  private static double number(JsonObject o, String name) throws ModelFormatException {
    JsonElement v = field(o, name);
    if (!v.getAsJsonPrimitive().isNumber()) {
      throw new ModelFormatException("hyperparameters: field '" + name + "' is " + v
          + ", expected a number");
    }
    return v.getAsDouble();
  }

  private static String string(JsonObject o, String name) throws ModelFormatException {
    JsonElement v = field(o, name);
    if (!v.getAsJsonPrimitive().isString()) {
      throw new ModelFormatException("hyperparameters: field '" + name + "' is " + v
          + ", expected a string");
    }
    return v.getAsString();
  }

  private static boolean bool(JsonObject o, String name) throws ModelFormatException {
    JsonElement v = field(o, name);
    if (!v.getAsJsonPrimitive().isBoolean()) {
      throw new ModelFormatException("hyperparameters: field '" + name + "' is " + v
          + ", expected true or false");
    }
    return v.getAsBoolean();
  }

  /**
   * Lists the hyperparameters that differ from a stored resume key. A key written without a
   * version is version 1; a newer version than this SDK's is itself a mismatch.
   *
   * @param stored a key written by an earlier run ({@link #toJson()})
   * @return e.g. {@code ["seed: checkpoint 1, now 2"]}; empty when resuming is allowed
   */
  public List<String> mismatches(JsonObject stored) {
    checkNotNull(stored, "stored");
    JsonObject now = toJson();
    List<String> out = new ArrayList<>();
    JsonElement v = stored.get(VERSION_KEY);
    if (v != null && !(v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()
        && v.getAsDouble() >= 1 && v.getAsDouble() <= VERSION)) {
      out.add(VERSION_KEY + ": checkpoint " + v + ", this SDK reads 1 to " + VERSION);
    }
    for (String k : now.keySet()) {
      if (k.equals(VERSION_KEY)) {
        continue;
      }
      String a = stored.has(k) ? stored.get(k).toString() : "(absent)";
      String b = now.get(k).toString();
      if (!a.equals(b)) {
        out.add(k + ": checkpoint " + a + ", now " + b);
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hyperparameters h && toJson().equals(h.toJson());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toJson().toString());
  }

  @Override
  public String toString() {
    return "Hyperparameters" + toJson();
  }

  /** Builds {@link Hyperparameters}. Not thread-safe. */
  public static final class Builder {
    private UNetConfig unet = UNetConfig.reference();
    private int discriminatorWidth = 64;
    private int identitiesPerBatch = 4;
    private int batchesPerEpoch;
    private double lrG = 1e-4;
    private double lrD = 1e-5;
    private int lrStepEpochs = 5;
    private double lrGamma = 0.9;
    private LossWeights lossWeights = LossWeights.DEFAULT;
    private boolean lpips;
    private long seed;
    private int validationBatches;
    private LrSchedule lrSchedule = LrSchedule.STEP_EPOCHS;
    private long lrScheduleSteps;
    private long lrWarmupSteps;
    private long adversarialWarmupSteps;
    private double outputInitScale = 1.0;
    private double maxRotationDegrees = PairAugmentation.DEFAULT_MAX_ROTATION_DEGREES;
    private int accumulate = 1;

    private Builder() {}

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
     * Sets whether the generator loss has an LPIPS term (default false). {@link TrainingConfig}
     * sets it from whether an LPIPS weights file is given.
     *
     * @param v whether LPIPS is used
     * @return this builder
     */
    public Builder optLpips(boolean v) {
      lpips = v;
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
     * Sets the weight of the detail term, the L1 of the high-pass-filtered error ({@link
     * io.github.fran4j.training.loss.Losses#detail}), keeping the other loss weights (default 0,
     * the reference's: no such term; {@link TrainingRecipe#FAST} sets {@value
     * TrainingRecipe#FAST_DETAIL_WEIGHT}).
     *
     * @param v finite and non-negative
     * @return this builder
     * @throws IllegalArgumentException if {@code v} is negative or not finite
     */
    public Builder optDetailWeight(double v) {
      lossWeights = lossWeights.withDetail(v);
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

    /**
     * Sets the training pairs' rotation range (default 3 degrees, the reference's augmentation).
     * Rotating resamples both images bilinearly, which softens detail a pixel wide; 0 keeps
     * already aligned data, such as {@code fran demo}'s synthetic faces, sharp.
     *
     * @param v in [0, 45] degrees
     * @return this builder
     */
    public Builder optMaxRotationDegrees(double v) {
      checkArgument(v >= 0 && v <= PairAugmentation.ROTATION_LIMIT_DEGREES,
          "maxRotationDegrees must be in [0, %s], got %s",
          PairAugmentation.ROTATION_LIMIT_DEGREES, Double.valueOf(v));
      maxRotationDegrees = v;
      return this;
    }

    /**
     * Applies a recipe's settings (see {@link TrainingRecipe}); later {@code opt*} calls override
     * them.
     *
     * @param v the recipe
     * @return this builder
     */
    public Builder optRecipe(TrainingRecipe v) {
      checkNotNull(v, "recipe").apply(this);
      return this;
    }

    /**
     * Sets the micro-batches averaged into one optimiser step (default 1). More than 1 needs the
     * community family ({@link UNetConfig#family()}), whose trainer accumulates.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optAccumulate(int v) {
      checkArgument(v >= 1, "accumulate must be >= 1, got %s", v);
      accumulate = v;
      return this;
    }

    /**
     * Returns the hyperparameters.
     *
     * @return the hyperparameters
     * @throws IllegalArgumentException if the community family is combined with an adversarial
     *     warm-up, or gradient accumulation with the reference family
     */
    public Hyperparameters build() {
      boolean community = unet.family() == io.github.fran4j.core.model.UNetFamily.COMMUNITY;
      checkArgument(community || accumulate == 1, "gradient accumulation (accumulate %s) is "
          + "implemented for the community family only; use 1 with the reference family",
          accumulate);
      checkArgument(!community || adversarialWarmupSteps == 0, "the community family trains "
          + "adversarially from the first step: adversarialWarmupSteps must be 0, got %s",
          adversarialWarmupSteps);
      return new Hyperparameters(this);
    }
  }
}
