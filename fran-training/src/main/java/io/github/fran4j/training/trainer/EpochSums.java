package io.github.fran4j.training.trainer;

import java.util.Arrays;

/**
 * The running sums of an epoch's training losses, kept in checkpoints so that a run resumed
 * mid-epoch reports the same epoch means as an uninterrupted one. Not thread-safe.
 */
final class EpochSums {
  /** Steps, G, L1, LPIPS, adversarial, D, steps with a D update. */
  private static final int FIELDS = 7;

  private final double[] s = new double[FIELDS];

  void add(StepLosses l) {
    s[0] += 1;
    s[1] += l.g();
    s[2] += l.l1();
    s[3] += l.lpips();
    if (Double.isFinite(l.d())) { // NaN during the adversarial warm-up
      s[4] += l.adv();
      s[5] += l.d();
      s[6] += 1;
    }
  }

  void clear() {
    Arrays.fill(s, 0);
  }

  private double steps() {
    return Math.max(s[0], 1);
  }

  double meanG() {
    return s[1] / steps();
  }

  double meanL1() {
    return s[2] / steps();
  }

  double meanLpips() {
    return s[3] / steps();
  }

  /** NaN when D was never trained this epoch. */
  double meanAdv() {
    return s[6] > 0 ? s[4] / s[6] : Double.NaN;
  }

  /** NaN when D was never trained this epoch. */
  double meanD() {
    return s[6] > 0 ? s[5] / s[6] : Double.NaN;
  }

  /** {@return the sums as the checkpoint metadata value, comma-separated} */
  String toMetadata() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length; i++) {
      sb.append(i == 0 ? "" : ",").append(s[i]);
    }
    return sb.toString();
  }

  /** Restores sums written by {@link #toMetadata()} (or by a version with fewer fields). */
  void restore(String metadata) {
    clear();
    String[] f = metadata.split(",");
    for (int i = 0; i < s.length && i < f.length; i++) {
      s[i] = Double.parseDouble(f[i]);
    }
    if (f.length < FIELDS) {
      s[6] = s[0]; // written before the adversarial warm-up existed
    }
  }
}
