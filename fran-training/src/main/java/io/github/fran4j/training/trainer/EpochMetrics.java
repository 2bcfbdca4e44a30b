package io.github.fran4j.training.trainer;

import java.util.Locale;

/**
 * One epoch's numbers, one row of {@code metrics.csv}. Training losses are means over the epoch's
 * steps; validation numbers are means over the validation pairs, computed in eval mode. The
 * identity baseline predicts the input unchanged, so a model is useful where {@code valL1 <
 * identityL1}. Immutable.
 *
 * @param epoch 1-based epoch number
 * @param globalStep training steps taken at the end of the epoch
 * @param lrG the generator's learning rate during the epoch
 * @param lrD the discriminator's learning rate during the epoch
 * @param trainG generator loss (weighted sum)
 * @param trainL1 L1 term
 * @param trainLpips LPIPS term (NaN without LPIPS)
 * @param trainAdv adversarial term (unweighted BCE)
 * @param trainD discriminator loss (three terms)
 * @param valG validation generator loss
 * @param valD validation discriminator loss
 * @param valL1 validation L1 of prediction vs target
 * @param valPsnr validation PSNR (dB, peak 1) of the clamped prediction vs target, from the MSE
 *     pooled over all validation pixels
 * @param identityL1 L1 of input vs target (the do-nothing baseline)
 * @param identityPsnr PSNR of input vs target, pooled the same way
 * @param seconds wall time of the epoch (training and validation)
 * @param changeCaptured share of the true change the clamped prediction captures, 1 -
 *     L1(prediction, target) / L1(input, target) pooled over the validation pairs (see
 *     {@link io.github.fran4j.training.metrics.ReAgingMetrics}); NaN in rows written before it
 *     existed
 * @param deltaCorrelation Pearson correlation of predicted and true deltas
 * @param changeYoung change captured for target ages below 30
 * @param changeMiddle change captured for target ages 30 to 59
 * @param changeOld change captured for target ages 60 and over
 */
public record EpochMetrics(
    int epoch,
    long globalStep,
    double lrG,
    double lrD,
    double trainG,
    double trainL1,
    double trainLpips,
    double trainAdv,
    double trainD,
    double valG,
    double valD,
    double valL1,
    double valPsnr,
    double identityL1,
    double identityPsnr,
    double seconds,
    double changeCaptured,
    double deltaCorrelation,
    double changeYoung,
    double changeMiddle,
    double changeOld) {
  private static final int OLD_FIELDS = 16;
  private static final int FIELDS = 21;

  /** The CSV header matching {@link #toCsv()}. */
  public static final String CSV_HEADER =
      "epoch,global_step,lr_g,lr_d,train_g,train_l1,train_lpips,train_adv,train_d,val_g,val_d,"
          + "val_l1,val_psnr,identity_l1,identity_psnr,seconds,change_captured,delta_correlation,"
          + "change_young,change_middle,change_old";

  /** {@return the row as CSV (no newline)} */
  public String toCsv() {
    return String.format(
        Locale.ROOT,
        "%d,%d,%.6g,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.4f,%.6f,%.4f,%.2f,%.4f,%.4f,"
            + "%.4f,%.4f,%.4f",
        epoch, globalStep, lrG, lrD, trainG, trainL1, trainLpips, trainAdv, trainD, valG, valD,
        valL1, valPsnr, identityL1, identityPsnr, seconds, changeCaptured, deltaCorrelation,
        changeYoung, changeMiddle, changeOld);
  }

  /**
   * Parses a row written by {@link #toCsv()}.
   *
   * @param line the row
   * @return the metrics
   * @throws IllegalArgumentException if the row does not have 21 numeric fields (or the 16 of a
   *     run written before the change-captured columns, which then read as NaN)
   */
  public static EpochMetrics fromCsv(String line) {
    String[] f = line.trim().split(",");
    if (f.length != FIELDS && f.length != OLD_FIELDS) {
      throw new IllegalArgumentException("metrics row needs " + FIELDS + " fields (" + CSV_HEADER
          + "), got " + f.length + ": " + line);
    }
    double[] d = new double[FIELDS];
    java.util.Arrays.fill(d, Double.NaN);
    for (int i = 2; i < f.length; i++) {
      d[i] = Double.parseDouble(f[i]);
    }
    return new EpochMetrics(Integer.parseInt(f[0]), Long.parseLong(f[1]), d[2], d[3], d[4], d[5],
        d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16], d[17], d[18],
        d[19], d[20]);
  }
}
