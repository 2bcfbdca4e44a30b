package io.github.fran4j.training.loss;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import io.github.fran4j.training.model.Ops;

/**
 * The elementary losses, each mean-reduced to a scalar like PyTorch's defaults. Written with plain
 * NDArray operations (not DJL's {@code Loss} classes, one of which returns a negated value, see
 * the project's DJL notes) so the formulas are visible and differentiable. Thread-safe
 * (stateless).
 */
public final class Losses {
  private Losses() {}

  /**
   * Mean absolute error, PyTorch's {@code l1_loss(prediction, target)}.
   *
   * @param prediction any shape
   * @param target the same shape
   * @return a scalar
   */
  public static NDArray l1(NDArray prediction, NDArray target) {
    checkSameShape(prediction, target);
    return prediction.sub(target).abs().mean();
  }

  /**
   * The detail term: the mean absolute high-pass-filtered error, {@code mean|e - blur(e)|} with
   * {@code e = prediction - target} and {@code blur} the fixed 3x3 {@code [1 2 1]^T [1 2 1] / 16}
   * filter with reflect padding ({@link Ops#blur}). Pixel L1 is dominated by broad changes (skin
   * tone, hair colour) and learns them first; this term weighs one-pixel structure such as
   * wrinkle lines as much as broad areas, so a short run draws them sooner. The reference has no
   * such term.
   *
   * @param prediction an NCHW array, H and W at least 2
   * @param target the same shape
   * @return a scalar
   */
  public static NDArray detail(NDArray prediction, NDArray target) {
    checkSameShape(prediction, target);
    NDArray error = prediction.sub(target);
    return error.sub(Ops.blur(error, 1)).abs().mean();
  }

  private static void checkSameShape(NDArray prediction, NDArray target) {
    checkArgument(
        prediction.getShape().equals(target.getShape()),
        "prediction %s and target %s must have the same shape",
        prediction.getShape(),
        target.getShape());
  }

  /**
   * Binary cross-entropy on logits against a constant label, PyTorch's
   * {@code binary_cross_entropy_with_logits(x, full_like(x, label))}, in the numerically stable form
   * {@code max(x, 0) - x y + log(1 + exp(-|x|))}.
   *
   * @param logits any shape
   * @param label the target probability, usually 0 or 1
   * @return a scalar
   */
  public static NDArray bceWithLogits(NDArray logits, float label) {
    checkArgument(label >= 0f && label <= 1f, "label must be in [0, 1], got %s", label);
    NDArray softplus = logits.abs().neg().exp().add(1f).log();
    return logits.maximum(0f).sub(logits.mul(label)).add(softplus).mean();
  }

  /**
   * The generator's adversarial loss: BCE of the discriminator's logits on the prediction against
   * "real" (1).
   *
   * @param fakeLogits D([prediction, target age])
   * @return a scalar
   */
  public static NDArray generatorAdversarial(NDArray fakeLogits) {
    return bceWithLogits(fakeLogits, 1f);
  }

  /**
   * The discriminator's three-term loss: BCE(D([pred.detach, ageB]), 0) + BCE(D([B, ageB]), 1) +
   * BCE(D([B, wrongAge]), 0).
   *
   * @param fakeLogits D on the detached prediction with the target age
   * @param realLogits D on the real target with its age
   * @param wrongAgeLogits D on the real target with a wrong age
   * @return a scalar
   */
  public static NDArray discriminator(
      NDArray fakeLogits, NDArray realLogits, NDArray wrongAgeLogits) {
    return bceWithLogits(fakeLogits, 0f)
        .add(bceWithLogits(realLogits, 1f))
        .add(bceWithLogits(wrongAgeLogits, 0f));
  }

  /** The community discriminator loss's weight on the real pair. */
  public static final float COMMUNITY_REAL_WEIGHT = 2f;
  /** The community discriminator loss's weight on each mock pair. */
  public static final float COMMUNITY_MOCK_WEIGHT = 0.5f;

  /**
   * The community family's discriminator loss: BCE(D([output, target age]), 0) + 2 BCE(D([target,
   * target age]), 1) + 0.5 BCE(mock, 0) for each mock pair. The community trainer's mock pairs are
   * (source, target age), (target, source age), (output, source age) and (target, source age)
   * again.
   *
   * @param fakeLogits D on the detached output with the target age
   * @param realLogits D on the real target with the target age
   * @param mockLogits D on each mock pair
   * @return a scalar
   */
  public static NDArray communityDiscriminator(
      NDArray fakeLogits, NDArray realLogits, NDArray... mockLogits) {
    NDArray loss = bceWithLogits(fakeLogits, 0f)
        .add(bceWithLogits(realLogits, 1f).mul(COMMUNITY_REAL_WEIGHT));
    for (NDArray m : mockLogits) {
      loss = loss.add(bceWithLogits(m, 0f).mul(COMMUNITY_MOCK_WEIGHT));
    }
    return loss;
  }
}
