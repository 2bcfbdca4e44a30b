package io.github.fran4j.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fran4j.training.metrics.ReAgingMetrics.Band;
import io.github.fran4j.training.metrics.ReAgingMetrics.Summary;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReAgingMetricsTest {
  /** Two-pass naive figures over concatenated triples. */
  private static double[] naive(List<float[][]> triples) {
    int n = 0;
    for (float[][] t : triples) {
      n += t[0].length;
    }
    double[] dp = new double[n];
    double[] dt = new double[n];
    double absM = 0;
    double absI = 0;
    double sqM = 0;
    double sqI = 0;
    int k = 0;
    for (float[][] t : triples) {
      for (int i = 0; i < t[0].length; i++, k++) {
        absM += Math.abs(t[2][i] - t[1][i]);
        absI += Math.abs(t[0][i] - t[1][i]);
        sqM += Math.pow(t[2][i] - t[1][i], 2);
        sqI += Math.pow(t[0][i] - t[1][i], 2);
        dp[k] = t[2][i] - t[0][i];
        dt[k] = t[1][i] - t[0][i];
      }
    }
    double mp = 0;
    double mt = 0;
    for (int i = 0; i < n; i++) {
      mp += dp[i] / n;
      mt += dt[i] / n;
    }
    double cov = 0;
    double vp = 0;
    double vt = 0;
    for (int i = 0; i < n; i++) {
      cov += (dp[i] - mp) * (dt[i] - mt);
      vp += (dp[i] - mp) * (dp[i] - mp);
      vt += (dt[i] - mt) * (dt[i] - mt);
    }
    return new double[] {absM / n, absI / n, -10 * Math.log10(sqM / n), -10 * Math.log10(sqI / n),
        1 - absM / absI, cov / Math.sqrt(vp * vt)};
  }

  private static float[][] triple(Random r, int len, double noise) {
    float[] in = new float[len];
    float[] truth = new float[len];
    float[] pred = new float[len];
    for (int i = 0; i < len; i++) {
      in[i] = r.nextFloat();
      truth[i] = in[i] + 0.2f * (r.nextFloat() - 0.3f);
      pred[i] = (float) (in[i] + 0.6 * (truth[i] - in[i]) + noise * r.nextGaussian());
    }
    return new float[][] {in, truth, pred};
  }

  private static void assertSummary(double[] want, Summary got) {
    assertEquals(want[0], got.modelL1(), 1e-9);
    assertEquals(want[1], got.identityL1(), 1e-9);
    assertEquals(want[2], got.modelPsnr(), 1e-6);
    assertEquals(want[3], got.identityPsnr(), 1e-6);
    assertEquals(want[4], got.changeCaptured(), 1e-9);
    assertEquals(want[5], got.deltaCorrelation(), 1e-6);
  }

  @Test
  void matchesNaiveComputationOverallAndPerBand() {
    Random r = new Random(3);
    float[][] young = triple(r, 300, 0.01);
    float[][] old1 = triple(r, 300, 0.05);
    float[][] old2 = triple(r, 300, 0.02);
    ReAgingMetrics m = new ReAgingMetrics()
        .add(young[0], young[1], young[2], 15)
        .add(old1[0], old1[1], old1[2], 75)
        .add(old2[0], old2[1], old2[2], 60);
    assertSummary(naive(List.of(young, old1, old2)), m.overall());
    assertSummary(naive(List.<float[][]>of(young)), m.band(Band.YOUNG));
    assertSummary(naive(List.of(old1, old2)), m.band(Band.OLD));
    assertEquals(List.of(Band.YOUNG, Band.OLD), m.populatedBands());
    assertEquals(3, m.overall().pairs());
    assertEquals(0, m.band(Band.MIDDLE).pairs());
  }

  @Test
  void offsetsReadTheSameTripleAsCopies() {
    Random r = new Random(5);
    float[][] t = triple(r, 50, 0.03);
    float[] batchIn = new float[100];
    float[] batchTruth = new float[100];
    float[] batchPred = new float[100];
    System.arraycopy(t[0], 0, batchIn, 50, 50);
    System.arraycopy(t[1], 0, batchTruth, 50, 50);
    System.arraycopy(t[2], 0, batchPred, 50, 50);
    Summary a = new ReAgingMetrics().add(t[0], t[1], t[2], 40).overall();
    Summary b = new ReAgingMetrics().add(batchIn, 50, batchTruth, 50, batchPred, 50, 50, 40)
        .overall();
    assertEquals(a, b);
  }

  @Test
  void handComputedExtremes() {
    float[] in = {0.2f, 0.4f};
    float[] truth = {0.4f, 0.8f};
    // Perfect model: all change captured, correlation 1.
    Summary perfect = new ReAgingMetrics().add(in, truth, truth, 70).overall();
    assertEquals(1.0, perfect.changeCaptured(), 1e-7);
    assertEquals(1.0, perfect.deltaCorrelation(), 1e-6);
    // Identity model: nothing captured, zero predicted delta: correlation undefined.
    Summary identity = new ReAgingMetrics().add(in, truth, in, 70).overall();
    assertEquals(0.0, identity.changeCaptured(), 1e-7);
    assertTrue(Double.isNaN(identity.deltaCorrelation()));
    assertTrue(identity.sentence().contains("changes every pixel alike"), identity.sentence());
    // Half way: L1 0.15 vs 0.3, captured 50%.
    float[] half = {0.3f, 0.6f};
    Summary h = new ReAgingMetrics().add(in, truth, half, 70).overall();
    assertEquals(0.15, h.modelL1(), 1e-6);
    assertEquals(0.3, h.identityL1(), 1e-6);
    assertEquals(0.5, h.changeCaptured(), 1e-6);
    assertTrue(h.sentence().contains("captures 50% of the true change"), h.sentence());
    assertTrue(h.sentence().contains("correlate 1.00 with the true ones"), h.sentence());
  }

  @Test
  void rejectsMismatchedLengths() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ReAgingMetrics().add(new float[4], new float[4], new float[3], 30));
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  void bandsCoverEveryAge() {
    assertEquals(Band.YOUNG, Band.of(10));
    assertEquals(Band.YOUNG, Band.of(29.9));
    assertEquals(Band.MIDDLE, Band.of(30));
    assertEquals(Band.MIDDLE, Band.of(59));
    assertEquals(Band.OLD, Band.of(60));
    assertEquals(Band.OLD, Band.of(85));
  }
}
