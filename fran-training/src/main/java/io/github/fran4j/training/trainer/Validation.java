package io.github.fran4j.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairLoader;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.loss.WrongAges;
import io.github.fran4j.training.metrics.ReAgingMetrics;
import io.github.fran4j.training.metrics.ReAgingMetrics.Band;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Held-out evaluation in eval mode (BatchNorm running statistics, no gradients): the generator and
 * discriminator losses (the family's: {@link Losses#discriminator} or {@link
 * Losses#communityDiscriminator}), L1 and PSNR against the identity baseline (the input unchanged) and the
 * change captured per target-age band, over the same fixed validation pairs every epoch so epochs
 * are comparable. Also composes the sample grid of the first batch. Obtained from the trainer;
 * runs on the training thread only; not thread-safe.
 */
public final class Validation {
  /**
   * One evaluation's numbers. Immutable.
   *
   * @param g generator loss (weighted sum, the adversarial term included)
   * @param d discriminator loss
   * @param l1 L1 of prediction vs target
   * @param psnr PSNR (dB, peak 1) of the clamped prediction vs target, from the MSE pooled over all
   *     pixels
   * @param identityL1 L1 of input vs target
   * @param identityPsnr PSNR of input vs target, pooled the same way
   * @param reAging change captured and delta correlation, overall and by target-age band
   * @param samples the first batch as input | target | prediction rows, if sample grids are on
   * @param seconds wall time of the evaluation
   */
  public record Result(double g, double d, double l1, double psnr, double identityL1,
      double identityPsnr, ReAgingMetrics reAging, Optional<BufferedImage> samples,
      double seconds) {}

  private final GanNetworks nets;
  private final PairLoader loader;
  private final WrongAges wrongAges;
  private final Hyperparameters hp;
  private final int sampleCount;
  private final NDManager manager;

  Validation(GanNetworks nets, PairLoader loader, WrongAges wrongAges, Hyperparameters hp,
      int sampleCount, NDManager manager) {
    this.nets = nets;
    this.loader = loader;
    this.wrongAges = wrongAges;
    this.hp = hp;
    this.sampleCount = sampleCount;
    this.manager = manager;
  }

  /**
   * Evaluates the current weights.
   *
   * @return the numbers
   * @throws IOException if a validation image cannot be read
   */
  public Result run() throws IOException {
    long start = System.nanoTime();
    int nb = loader.sampler().batchesPerEpoch();
    if (hp.validationBatches() > 0) {
      nb = Math.min(nb, hp.validationBatches());
    }
    LossWeights w = hp.lossWeights();
    double count = 0;
    double sg = 0;
    double sd = 0;
    double sl1 = 0;
    double spsnr = 0;
    double sid = 0;
    double sidPsnr = 0;
    BufferedImage samples = null;
    ReAgingMetrics reAging = new ReAgingMetrics();
    for (int b = 0; b < nb; b++) {
      PairBatch pb;
      try {
        pb = loader.load(0, b); // the same pairs every epoch, so epochs are comparable
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      try (NDManager m = manager.newSubManager()) {
        GanNetworks.Inputs in = nets.inputs(m, pb);
        NDArray pred = in.a().add(nets.delta(in, false));
        ReconstructionLoss rec = ReconstructionLoss.of(pred, in.b(), w, nets.lpips);
        NDArray l1 = rec.l1();
        NDArray total = rec.total();
        NDArray fakeLogits = nets.discriminate(pred, in.ageB(), false);
        total = total.add(Losses.generatorAdversarial(fakeLogits).mul((float) w.adversarial()));
        NDArray dl;
        if (nets.d.family() == UNetFamily.COMMUNITY) {
          dl = Losses.communityDiscriminator(fakeLogits,
              nets.discriminate(in.b(), in.ageB(), false),
              nets.discriminate(in.a(), in.ageB(), false),
              nets.discriminate(in.b(), in.ageA(), false),
              nets.discriminate(pred, in.ageA(), false),
              nets.discriminate(in.b(), in.ageA(), false));
        } else {
          int[] wrong = wrongAges.draw(GanNetworks.toInts(pb.agesB()),
              new SplittableRandom(GanNetworks.mix(hp.seed(), -1 - b)));
          dl = Losses.discriminator(fakeLogits, nets.discriminate(in.b(), in.ageB(), false),
              nets.discriminate(in.b(), nets.agePlane(m, GanNetworks.toYears(wrong), in.n()),
                  false));
        }
        int n = in.n();
        sg += total.getFloat() * n;
        sd += dl.getFloat() * n;
        sl1 += l1.getFloat() * n;
        sid += Losses.l1(in.a(), in.b()).getFloat() * n;
        spsnr += mseSum(pred.clip(0f, 1f), in.b());
        sidPsnr += mseSum(in.a(), in.b());
        count += n;
        float[] av = in.a().toFloatArray();
        float[] bv = in.b().toFloatArray();
        float[] shown = pred.clip(0f, 1f).toFloatArray();
        int len = av.length / n;
        for (int i = 0; i < n; i++) {
          reAging.add(av, i * len, bv, i * len, shown, i * len, len, pb.agesB()[i]);
        }
        if (b == 0 && sampleCount > 0) {
          samples = SampleGrid.compose(av, bv, pred.toFloatArray(), Math.min(n, sampleCount),
              nets.res);
        }
      }
    }
    double c = Math.max(count, 1);
    return new Result(sg / c, sd / c, sl1 / c, psnr(spsnr / c), sid / c, psnr(sidPsnr / c),
        reAging, Optional.ofNullable(samples), (System.nanoTime() - start) / 1e9);
  }

  /**
   * Combines an epoch's training sums and a validation into the epoch's {@code metrics.csv} row.
   *
   * @param epoch the 1-based epoch
   * @param globalStep steps taken at the end of the epoch
   * @param lrG the generator's rate
   * @param lrD the discriminator's rate
   * @param train the epoch's training sums
   * @param lpips whether LPIPS is on
   * @param v the validation
   * @param trainSeconds wall time of the epoch's training part
   * @return the row
   */
  static EpochMetrics metrics(int epoch, long globalStep, double lrG, double lrD, EpochSums train,
      boolean lpips, Result v, double trainSeconds) {
    ReAgingMetrics r = v.reAging();
    return new EpochMetrics(epoch, globalStep, lrG, lrD,
        train.meanG(), train.meanL1(), lpips ? train.meanLpips() : Double.NaN,
        train.meanAdv(), train.meanD(),
        v.g(), v.d(), v.l1(), v.psnr(), v.identityL1(), v.identityPsnr(),
        trainSeconds + v.seconds(),
        r.overall().changeCaptured(), r.overall().deltaCorrelation(),
        r.band(Band.YOUNG).changeCaptured(), r.band(Band.MIDDLE).changeCaptured(),
        r.band(Band.OLD).changeCaptured());
  }

  /** Sum over the batch of per-image mean squared errors. */
  private static double mseSum(NDArray x, NDArray y) {
    long n = x.getShape().get(0);
    return x.sub(y).square().mean().getFloat() * n;
  }

  /**
   * PSNR in dB (peak 1) of the mean squared error over all validation pixels. Computed from the
   * pooled MSE rather than averaged per image, because identical pairs (A and B at the same age)
   * have an infinite per-image PSNR.
   */
  private static double psnr(double mse) {
    return 10.0 * Math.log10(1.0 / Math.max(mse, 1e-10));
  }
}
