package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.loss.Lpips;
import io.github.fran4j.training.model.CommunityPatchGan;
import io.github.fran4j.training.model.CommunityUNet;

/**
 * One optimisation step of the community family (face_reaging), with gradient accumulation over
 * {@code accumulate} micro-batches: the step the community trainer takes with its small batches.
 *
 * <p>For each micro-batch: output = source + G([source, source age, target age]) (not clamped);
 * with D frozen (its BatchNorm in training mode), G loss = {@code l1} L1(output, target) + {@code
 * lpips} LPIPS(output, target) + {@code adversarial} BCE(D([output, target age]), 1) (1 / 1 / 0.05,
 * {@link LossWeights#DEFAULT}); then the D loss of {@link Losses#communityDiscriminator} on the
 * detached output: fake (output, target age), real (target, target age) and the four mock pairs
 * (source, target age), (target, source age), (output, source age), (target, source age). Each
 * loss is divided by {@code accumulate} before its backward pass, so after the window the
 * gradients are the micro-batches' mean, as PyTorch Lightning's {@code accumulate_grad_batches}.
 * {@link #apply} then takes one Adam step on each network and zeroes the gradients.
 *
 * <p>Matches one step of PyTorch within 1e-4 (the community step fixture). Not thread-safe; it
 * borrows the networks, optimizers and LPIPS, which the caller owns and closes.
 */
public final class CommunityGanStep {
  /** The community trainer's learning rate for both networks. */
  public static final double LEARNING_RATE = 1e-5;

  private final CommunityUNet g;
  private final CommunityPatchGan d;
  private final Adam optG;
  private final Adam optD;
  private final Lpips lpips;
  private final LossWeights weights;
  private final int accumulate;
  private final ParameterStore ps;
  private int pending;

  /**
   * Creates the step.
   *
   * @param g the generator
   * @param d the discriminator
   * @param optG Adam over {@code g}'s parameters
   * @param optD Adam over {@code d}'s parameters
   * @param lpips LPIPS, or null to train without it (its term is then left out)
   * @param weights the generator loss weights
   * @param accumulate the micro-batches per optimizer step, at least 1
   * @param ps the parameter store of the forward passes
   */
  public CommunityGanStep(CommunityUNet g, CommunityPatchGan d, Adam optG, Adam optD, Lpips lpips,
      LossWeights weights, int accumulate, ParameterStore ps) {
    this.g = checkNotNull(g, "g");
    this.d = checkNotNull(d, "d");
    this.optG = checkNotNull(optG, "optG");
    this.optD = checkNotNull(optD, "optD");
    this.lpips = lpips;
    this.weights = checkNotNull(weights, "weights");
    checkArgument(accumulate >= 1, "accumulate must be at least 1, got %s", accumulate);
    this.accumulate = accumulate;
    this.ps = checkNotNull(ps, "ps");
  }

  /** {@return the micro-batches per optimizer step} */
  public int accumulate() {
    return accumulate;
  }

  /** {@return the micro-batches added since the last {@link #apply}} */
  public int pendingMicroBatches() {
    return pending;
  }

  /**
   * Adds one micro-batch's gradients (scaled by 1 / {@link #accumulate()}) to both networks.
   *
   * @param source (n, 3, H, W) in [0, 1]
   * @param target (n, 3, H, W) in [0, 1]
   * @param sourceAge (n, 1, H, W), age / 100
   * @param targetAge (n, 1, H, W), age / 100
   * @return this micro-batch's (unscaled) losses
   * @throws IllegalStateException if a window of {@link #accumulate()} micro-batches is complete
   *     and {@link #apply} has not been called
   */
  public StepLosses microBatch(NDArray source, NDArray target, NDArray sourceAge,
      NDArray targetAge) {
    checkState(pending < accumulate, "%s micro-batches accumulated: call apply() first", pending);
    float scale = 1f / accumulate;
    NDArray output;
    double gv;
    double l1v;
    double lpv = Double.NaN;
    double advv;
    d.freezeParameters(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray delta = g.forward(ps,
          new NDList(source.concat(sourceAge, 1).concat(targetAge, 1)), true).singletonOrThrow();
      output = source.add(delta);
      ReconstructionLoss rec = ReconstructionLoss.of(output, target, weights, lpips);
      NDArray l1 = rec.l1();
      NDArray total = rec.total();
      lpv = rec.lpipsValue();
      NDArray adv = Losses.generatorAdversarial(discriminate(output, targetAge));
      total = total.add(adv.mul((float) weights.adversarial()));
      gc.backward(total.mul(scale));
      gv = total.getFloat();
      l1v = l1.getFloat();
      advv = adv.getFloat();
    } finally {
      // BatchNorm statistics stay unfrozen: the plain form breaks the next forward.
      d.freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
          && p.getType() != Parameter.Type.RUNNING_VAR);
    }
    NDArray fake = output.stopGradient();
    double dv;
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray dl = Losses.communityDiscriminator(
          discriminate(fake, targetAge),
          discriminate(target, targetAge),
          discriminate(source, targetAge),
          discriminate(target, sourceAge),
          discriminate(fake, sourceAge),
          discriminate(target, sourceAge));
      gc.backward(dl.mul(scale));
      dv = dl.getFloat();
    }
    pending++;
    StepLosses l = new StepLosses(gv, l1v, lpv, advv, dv);
    if (!Double.isFinite(gv) || !Double.isFinite(dv)) {
      throw new IllegalStateException("loss is not finite (" + l + "); lower --lr-g / --lr-d or "
          + "check the data");
    }
    return l;
  }

  /**
   * Takes one Adam step on each network with the accumulated gradients and starts a new window.
   *
   * @param lrG the generator's learning rate
   * @param lrD the discriminator's learning rate
   * @throws IllegalStateException if no micro-batch was added since the last call
   */
  public void apply(double lrG, double lrD) {
    checkState(pending > 0, "apply() without a micro-batch");
    optG.step(lrG);
    optD.step(lrD);
    pending = 0;
  }

  private NDArray discriminate(NDArray image, NDArray agePlane) {
    return d.forward(ps, new NDList(image.concat(agePlane, 1)), true).singletonOrThrow();
  }
}
