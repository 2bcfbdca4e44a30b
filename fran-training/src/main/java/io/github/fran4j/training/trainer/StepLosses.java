package io.github.fran4j.training.trainer;

/**
 * One training step's losses, copied to Java. Immutable.
 *
 * @param g generator loss (the weighted sum that was minimised)
 * @param l1 L1 term
 * @param lpips LPIPS term (NaN without LPIPS)
 * @param adv adversarial term, unweighted (NaN during the adversarial warm-up)
 * @param d discriminator loss (NaN during the adversarial warm-up: D is not trained)
 */
public record StepLosses(double g, double l1, double lpips, double adv, double d) {}
