package io.github.fran4j.training.loss;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The generator loss weights: {@code l1 * L1 + lpips * LPIPS + adversarial * BCE + detail *
 * detail}, 1 / 1 / 0.05 / 0 by default as in the reference (which has no detail term; see {@link
 * Losses#detail}). Immutable and thread-safe.
 *
 * @param l1 weight of the L1 term
 * @param lpips weight of the LPIPS term (ignored when no LPIPS weights are supplied)
 * @param adversarial weight of the adversarial term
 * @param detail weight of the detail term, the L1 of the high-pass-filtered error (0: off)
 */
public record LossWeights(double l1, double lpips, double adversarial, double detail) {
  /** The reference's weights 1 / 1 / 0.05, without a detail term. */
  public static final LossWeights DEFAULT = new LossWeights(1.0, 1.0, 0.05);

  /**
   * Weights without a detail term, the reference's form.
   *
   * @param l1 weight of the L1 term
   * @param lpips weight of the LPIPS term (ignored when no LPIPS weights are supplied)
   * @param adversarial weight of the adversarial term
   */
  public LossWeights(double l1, double lpips, double adversarial) {
    this(l1, lpips, adversarial, 0);
  }

  /**
   * Returns these weights with another detail weight.
   *
   * @param weight the detail term's weight, finite and non-negative
   * @return the new weights
   */
  public LossWeights withDetail(double weight) {
    return new LossWeights(l1, lpips, adversarial, weight);
  }

  /**
   * Checks that every weight is finite and non-negative.
   *
   * @param l1 weight of the L1 term
   * @param lpips weight of the LPIPS term (ignored when no LPIPS weights are supplied)
   * @param adversarial weight of the adversarial term
   * @param detail weight of the detail term (0: off)
   */
  public LossWeights {
    checkArgument(Double.isFinite(l1) && l1 >= 0, "l1 weight must be >= 0, got %s", l1);
    checkArgument(Double.isFinite(lpips) && lpips >= 0, "lpips weight must be >= 0, got %s", lpips);
    checkArgument(
        Double.isFinite(adversarial) && adversarial >= 0,
        "adversarial weight must be >= 0, got %s",
        adversarial);
    checkArgument(Double.isFinite(detail) && detail >= 0, "detail weight must be >= 0, got %s",
        detail);
  }
}
