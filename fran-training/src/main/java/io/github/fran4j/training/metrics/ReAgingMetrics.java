package io.github.fran4j.training.metrics;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Accumulates re-aging quality over held-out (input, truth, prediction) triples.
 *
 * <p>For each triple the identity baseline is "return the input unchanged". The figures are pooled
 * over all values of all triples (not averaged per image, because a pair whose target age equals
 * its input age has zero true change):
 *
 * <ul>
 *   <li>L1 and PSNR (peak 1) of the model and of the identity baseline against the truth;
 *   <li><b>change captured</b> = 1 - L1(model, truth) / L1(input, truth): 1 when the model
 *       reproduces the true change exactly, 0 when it is no better than doing nothing, negative
 *       when it is worse; overall and per target-age {@link Band};
 *   <li><b>delta correlation</b>: Pearson correlation between the predicted change
 *       (prediction - input) and the true change (truth - input), over all values.
 * </ul>
 *
 * <p>Images are float arrays of equal length in any fixed layout (the values are compared index by
 * index), normally RGB in [0, 1]; pass predictions as they would be displayed (clamped). Not
 * thread-safe: one accumulator per thread.
 */
public final class ReAgingMetrics {
  /** Target-age bands reported separately (inclusive lower bounds, exclusive upper). */
  public enum Band {
    /** Target ages below 30. */
    YOUNG("younger than 30", Integer.MIN_VALUE, 30),
    /** Target ages 30 to 59. */
    MIDDLE("30 to 59", 30, 60),
    /** Target ages 60 and over. */
    OLD("60 and over", 60, Integer.MAX_VALUE);

    private final String label;
    private final int from;
    private final int to;

    Band(String label, int from, int to) {
      this.label = label;
      this.from = from;
      this.to = to;
    }

    /** {@return a label for reports, e.g. {@code "60 and over"}} */
    public String label() {
      return label;
    }

    /**
     * Returns the band of a target age.
     *
     * @param age the target age in years
     * @return its band
     */
    public static Band of(double age) {
      for (Band b : values()) {
        if (age >= b.from && age < b.to) {
          return b;
        }
      }
      throw new IllegalArgumentException("age " + age + " is in no band");
    }
  }

  /** Sums for one group of triples. */
  private static final class Sums {
    long pairs;
    long n;
    double absModel;
    double absIdentity;
    double sqModel;
    double sqIdentity;
    double sp;
    double st;
    double spp;
    double stt;
    double spt;

    void add(Sums o) {
      pairs += o.pairs;
      n += o.n;
      absModel += o.absModel;
      absIdentity += o.absIdentity;
      sqModel += o.sqModel;
      sqIdentity += o.sqIdentity;
      sp += o.sp;
      st += o.st;
      spp += o.spp;
      stt += o.stt;
      spt += o.spt;
    }

    Summary summary() {
      double c = Math.max(n, 1);
      double l1m = absModel / c;
      double l1i = absIdentity / c;
      double cov = spt / c - (sp / c) * (st / c);
      double vp = spp / c - (sp / c) * (sp / c);
      double vt = stt / c - (st / c) * (st / c);
      double corr = vp > 0 && vt > 0 ? cov / Math.sqrt(vp * vt) : Double.NaN;
      return new Summary(pairs, l1m, l1i, psnr(sqModel / c), psnr(sqIdentity / c),
          absIdentity > 0 ? 1 - absModel / absIdentity : Double.NaN, corr);
    }
  }

  /**
   * The figures of one group of triples.
   *
   * @param pairs triples accumulated
   * @param modelL1 mean absolute error of the model against the truth
   * @param identityL1 mean absolute error of the input against the truth (the baseline)
   * @param modelPsnr PSNR (dB, peak 1) of the pooled model MSE
   * @param identityPsnr PSNR of the pooled baseline MSE
   * @param changeCaptured 1 - modelL1 / identityL1 (NaN without any true change)
   * @param deltaCorrelation Pearson correlation of predicted and true deltas (NaN if either is
   *     constant)
   */
  public record Summary(long pairs, double modelL1, double identityL1, double modelPsnr,
      double identityPsnr, double changeCaptured, double deltaCorrelation) {
    /**
     * Returns a sentence a newcomer understands, e.g. "The model captures 63% of the true change
     * (its error is 0.37x that of returning the input unchanged; ...)".
     *
     * @return the sentence
     */
    public String sentence() {
      String pattern = Double.isNaN(deltaCorrelation)
          ? "and it changes every pixel alike (no pattern to compare with the true change yet)."
          : String.format(Locale.ROOT, "and its per-pixel changes correlate %.2f with the true "
              + "ones (1 = same pattern, 0 = unrelated).", deltaCorrelation);
      return String.format(Locale.ROOT,
          "On %d held-out re-agings the model captures %.0f%% of the true change: its average "
              + "pixel error (L1 %.4f) is %.2fx that of returning the input unchanged (L1 %.4f), "
              + "PSNR %.2f dB vs %.2f dB, ",
          pairs, 100 * changeCaptured, modelL1, modelL1 / identityL1, identityL1, modelPsnr,
          identityPsnr) + pattern;
    }
  }

  private final Sums[] bands = new Sums[Band.values().length];

  /** Creates an empty accumulator. */
  public ReAgingMetrics() {
    for (int i = 0; i < bands.length; i++) {
      bands[i] = new Sums();
    }
  }

  /**
   * Adds one triple.
   *
   * @param input the input image
   * @param truth the ground truth at the target age
   * @param prediction the model's output at the target age
   * @param targetAge the target age in years (selects the band)
   * @return this accumulator
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public ReAgingMetrics add(float[] input, float[] truth, float[] prediction, double targetAge) {
    return add(input, 0, truth, 0, prediction, 0, checkNotNull(input, "input").length, targetAge);
  }

  /**
   * Adds one triple stored at offsets of larger (batch) arrays.
   *
   * @param input the input images
   * @param inputOffset where the triple's input starts
   * @param truth the ground-truth images
   * @param truthOffset where the triple's truth starts
   * @param prediction the predictions
   * @param predictionOffset where the triple's prediction starts
   * @param length values per image
   * @param targetAge the target age in years
   * @return this accumulator
   */
  public ReAgingMetrics add(float[] input, int inputOffset, float[] truth, int truthOffset,
      float[] prediction, int predictionOffset, int length, double targetAge) {
    checkArgument(length > 0, "empty image");
    checkArgument(inputOffset + length <= input.length && truthOffset + length <= truth.length
        && predictionOffset + length <= prediction.length,
        "image of %s values out of range (input %s, truth %s, prediction %s values)", length,
        input.length, truth.length, prediction.length);
    Sums s = bands[Band.of(targetAge).ordinal()];
    for (int i = 0; i < length; i++) {
      double x = input[inputOffset + i];
      double t = truth[truthOffset + i];
      double p = prediction[predictionOffset + i];
      double em = p - t;
      double ei = x - t;
      double dp = p - x;
      double dt = t - x;
      s.absModel += Math.abs(em);
      s.absIdentity += Math.abs(ei);
      s.sqModel += em * em;
      s.sqIdentity += ei * ei;
      s.sp += dp;
      s.st += dt;
      s.spp += dp * dp;
      s.stt += dt * dt;
      s.spt += dp * dt;
    }
    s.n += length;
    s.pairs++;
    return this;
  }

  /** {@return the figures over every triple added} */
  public Summary overall() {
    Sums all = new Sums();
    for (Sums s : bands) {
      all.add(s);
    }
    return all.summary();
  }

  /**
   * Returns the figures of one target-age band.
   *
   * @param band the band
   * @return its figures ({@code pairs} 0 and NaNs when empty)
   */
  public Summary band(Band band) {
    return bands[band.ordinal()].summary();
  }

  /** {@return the bands that received at least one triple, in age order} */
  public List<Band> populatedBands() {
    List<Band> out = new ArrayList<>();
    for (Band b : Band.values()) {
      if (bands[b.ordinal()].pairs > 0) {
        out.add(b);
      }
    }
    return out;
  }

  private static double psnr(double mse) {
    return 10.0 * Math.log10(1.0 / Math.max(mse, 1e-10));
  }
}
