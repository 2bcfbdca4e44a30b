package io.github.fran4j.training.trainer;

import com.google.common.base.Ticker;
import java.time.Duration;

/**
 * A run's position on its learning-rate schedule and whether its time budget allows another epoch
 * ({@link RunOptions#timeBudget()}). Without a budget the position is the step count and the run
 * never stops for time. With one, a step-based schedule follows whichever is further along, the
 * steps or the elapsed share of the budget: a machine slower than the plan assumed still reaches
 * the schedule's end (the low rates that settle the weights) before the budget runs out, instead
 * of being cut off in the middle of it. Used by the training thread only; not thread-safe.
 */
final class ScheduleClock {
  private final Ticker ticker;
  private final long budgetNanos;
  private final long start;
  private final long span;
  private final boolean followsTime;

  /**
   * Starts the clock now.
   *
   * @param ticker the time source
   * @param budget the time budget, or null for none
   * @param span the steps the schedule spans
   * @param followsTime whether the schedule is step-based (a schedule by epochs keeps its pace)
   */
  ScheduleClock(Ticker ticker, Duration budget, long span, boolean followsTime) {
    this.ticker = ticker;
    this.budgetNanos = budget == null ? 0 : budget.toNanos();
    this.start = ticker.read();
    this.span = span;
    this.followsTime = followsTime;
  }

  /**
   * Returns the schedule position for the step about to run.
   *
   * @param step the 0-based global step
   * @return {@code step}, or further along when the clock is ahead of the steps
   */
  long position(long step) {
    if (budgetNanos == 0 || !followsTime) {
      return step;
    }
    double share = Math.min(1.0, (ticker.read() - start) / (double) budgetNanos);
    return Math.max(step, Math.round(span * share));
  }

  /**
   * Says whether the budget is too short for another epoch like the last one: less than half of
   * it is left (stopping then wastes less than running over).
   *
   * @param lastEpochNanos how long the last epoch took, its validation included
   * @return true to stop now; always false without a budget
   */
  boolean noTimeFor(long lastEpochNanos) {
    return budgetNanos > 0 && start + budgetNanos - ticker.read() < lastEpochNanos / 2;
  }
}
