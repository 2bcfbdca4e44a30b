package io.github.fran4j.examples.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The one way subcommands refuse option values: a usage error (exit 2) naming the option, the value
 * and what was expected, raised before any work starts. Thread-safe (stateless).
 */
final class OptionChecks {
  private final CommandLine cl;

  private OptionChecks(CommandLine cl) {
    this.cl = cl;
  }

  /** Returns the checks for a command line. */
  static OptionChecks of(CommandLine cl) {
    return new OptionChecks(cl);
  }

  /** Refuses {@code value < min}. */
  OptionChecks atLeast(String option, long value, long min) {
    if (value < min) {
      throw new ParameterException(cl, option + " " + value + " must be >= " + min);
    }
    return this;
  }

  /** Refuses a value outside {@code [min, max]} (or NaN). */
  OptionChecks inRange(String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new ParameterException(cl, String.format(Locale.ROOT, "%s %s must be in [%s, %s]",
          option, fmt(value), fmt(min), fmt(max)));
    }
    return this;
  }

  /** Refuses a value outside {@code (low, max]} (or NaN). */
  OptionChecks inHalfOpenRange(String option, double value, double low, double max) {
    if (!(value > low && value <= max)) {
      throw new ParameterException(cl, String.format(Locale.ROOT, "%s %s must be in (%s, %s]",
          option, fmt(value), fmt(low), fmt(max)));
    }
    return this;
  }

  /** Refuses a value that is not finite and &gt; 0. */
  OptionChecks positive(String option, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ParameterException(cl, option + " " + fmt(value) + " must be a finite number > 0");
    }
    return this;
  }

  /** Refuses a value that is not finite and &gt;= 0. */
  OptionChecks nonNegative(String option, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new ParameterException(cl, option + " " + fmt(value) + " must be a finite number >= 0");
    }
    return this;
  }

  /** Refuses an age outside the SDK's range [0, 150] years. */
  OptionChecks age(String option, double value) {
    if (!(value >= 0 && value <= 150)) {
      throw new ParameterException(cl, option + " " + fmt(value) + " must be an age in years in "
          + "[0, 150]");
    }
    return this;
  }

  /**
   * Refuses an option given on the command line that does nothing in the chosen mode.
   *
   * @param option the option
   * @param applies whether it has an effect
   * @param why when it would have one, e.g. "without --contact-sheet"
   */
  OptionChecks onlyWhen(String option, boolean applies, String why) {
    if (!applies && cl.getParseResult().hasMatchedOption(option)) {
      throw new ParameterException(cl, option + " has no effect " + why);
    }
    return this;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
