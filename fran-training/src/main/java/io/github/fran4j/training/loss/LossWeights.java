package io.github.fran4j.training.loss;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The generator loss weights: {@code l1 * L1 + lpips * LPIPS + adversarial * BCE}, 1 / 1 / 0.05 by
 * default as in the reference. Immutable and thread-safe.
 *
 * @param l1 weight of the L1 term
 * @param lpips weight of the LPIPS term (ignored when no LPIPS weights are supplied)
 * @param adversarial weight of the adversarial term
 */
public record LossWeights(double l1, double lpips, double adversarial) {
  /** The reference's weights 1 / 1 / 0.05. */
  public static final LossWeights DEFAULT = new LossWeights(1.0, 1.0, 0.05);

  /**
   * Checks that every weight is finite and non-negative.
   *
   * @param l1 weight of the L1 term
   * @param lpips weight of the LPIPS term (ignored when no LPIPS weights are supplied)
   * @param adversarial weight of the adversarial term
   */
  public LossWeights {
    checkArgument(Double.isFinite(l1) && l1 >= 0, "l1 weight must be >= 0, got %s", l1);
    checkArgument(Double.isFinite(lpips) && lpips >= 0, "lpips weight must be >= 0, got %s", lpips);
    checkArgument(
        Double.isFinite(adversarial) && adversarial >= 0,
        "adversarial weight must be >= 0, got %s",
        adversarial);
  }
}
