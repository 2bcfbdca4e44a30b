package io.github.fran4j.training.trainer;

import ai.djl.ndarray.NDArray;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.loss.Lpips;

/**
 * The generator's reconstruction terms, {@code l1 * L1 + lpips * LPIPS + detail * detail}, in the
 * one place that the reference family's step, the community family's step and validation all
 * take them from (the adversarial term depends on the family and is added by the caller).
 *
 * @param total the weighted sum
 * @param l1 the unweighted L1 term
 * @param lpips the unweighted LPIPS term, or null when training without LPIPS
 */
record ReconstructionLoss(NDArray total, NDArray l1, NDArray lpips) {
  /**
   * Computes the terms of a prediction against its target.
   *
   * @param prediction the generator's output image, NCHW
   * @param target the true image, the same shape
   * @param w the weights
   * @param lpips LPIPS, or null to leave its term out
   * @return the terms
   */
  static ReconstructionLoss of(NDArray prediction, NDArray target, LossWeights w, Lpips lpips) {
    NDArray l1 = Losses.l1(prediction, target);
    NDArray total = l1.mul((float) w.l1());
    NDArray lp = null;
    if (lpips != null) {
      lp = lpips.loss(prediction, target);
      total = total.add(lp.mul((float) w.lpips()));
    }
    if (w.detail() > 0) {
      total = total.add(Losses.detail(prediction, target).mul((float) w.detail()));
    }
    return new ReconstructionLoss(total, l1, lp);
  }

  /** {@return the LPIPS term's value, or NaN without LPIPS} */
  double lpipsValue() {
    return lpips == null ? Double.NaN : lpips.getFloat();
  }
}
