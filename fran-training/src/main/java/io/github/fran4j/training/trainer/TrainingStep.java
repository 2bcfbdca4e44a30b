package io.github.fran4j.training.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import io.github.fran4j.training.loss.WrongAges;
import java.util.SplittableRandom;

/**
 * One training step on a batch, the reference's: (1) G step with D frozen: prediction = A +
 * G([A, ageA, ageB]); loss = w_l1 L1 + w_lpips LPIPS + w_adv BCE(D([pred, ageB]), 1) (+ w_detail
 * detail where a recipe sets it, see {@link ReconstructionLoss}); Adam on G.
 * (2) D step on the detached prediction: BCE(D([pred, ageB]), 0) + BCE(D([B, ageB]), 1) +
 * BCE(D([B, wrongAge]), 0); Adam on D. During the adversarial warm-up only the L1 (+ LPIPS) G step
 * runs. The wrong ages are a pure function of the seed and the global step.
 *
 * <p>A non-finite loss is refused before the optimiser that would apply it, so the weights stay
 * finite. Obtained from {@link GanTrainer#trainingStep()}; runs on the training thread only; not
 * thread-safe.
 */
public final class TrainingStep implements GanStep {
  private final GanNetworks nets;
  private final Adam optG;
  private final Adam optD;
  private final WrongAges wrongAges;
  private final Hyperparameters hp;
  private final NDManager manager;

  TrainingStep(GanNetworks nets, Adam optG, Adam optD, WrongAges wrongAges, Hyperparameters hp,
      NDManager manager) {
    this.nets = nets;
    this.optG = optG;
    this.optD = optD;
    this.wrongAges = wrongAges;
    this.hp = hp;
    this.manager = manager;
  }

  /**
   * Runs one G update and (after the adversarial warm-up) one D update.
   *
   * @param pb the batch
   * @param globalStep the steps taken before this one (decides the warm-up and the wrong ages)
   * @param lrG the generator's learning rate
   * @param lrD the discriminator's learning rate
   * @return the losses
   * @throws IllegalStateException if a loss is NaN or infinite (the offending update is not
   *     applied)
   */
  @Override
  public StepLosses run(PairBatch pb, long globalStep, double lrG, double lrD) {
    LossWeights w = hp.lossWeights();
    try (NDManager m = manager.newSubManager()) {
      GanNetworks.Inputs in = nets.inputs(m, pb);
      int[] wrong = wrongAges.draw(GanNetworks.toInts(pb.agesB()),
          new SplittableRandom(GanNetworks.mix(hp.seed(), globalStep)));
      NDArray wrongPlane = nets.agePlane(m, GanNetworks.toYears(wrong), in.n());

      // Adversarial warm-up (a recipe option): L1 (+ LPIPS) only, D neither used nor trained.
      boolean adversarial = globalStep >= hp.adversarialWarmupSteps();
      // G step: D frozen so that it collects no gradient from the generator's loss.
      nets.d.freezeParameters(true);
      NDArray pred;
      double gv;
      double l1v;
      double lpv = Double.NaN;
      double advv = Double.NaN;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray delta = nets.delta(in, true);
        pred = in.a().add(delta);
        ReconstructionLoss rec = ReconstructionLoss.of(pred, in.b(), w, nets.lpips);
        NDArray l1 = rec.l1();
        NDArray total = rec.total();
        lpv = rec.lpipsValue();
        NDArray adv = null;
        if (adversarial) {
          adv = Losses.generatorAdversarial(nets.discriminate(pred, in.ageB(), true));
          total = total.add(adv.mul((float) w.adversarial()));
        }
        gc.backward(total);
        gv = total.getFloat();
        l1v = l1.getFloat();
        if (adv != null) {
          advv = adv.getFloat();
        }
      }
      // Unfreeze all but BatchNorm statistics (the plain form breaks the next forward).
      nets.d.freezeParameters(false, p -> p.getType() != Parameter.Type.RUNNING_MEAN
          && p.getType() != Parameter.Type.RUNNING_VAR);
      if (!Double.isFinite(gv)) {
        throw new IllegalStateException("loss is not finite at step " + (globalStep + 1)
            + " (G " + gv + "); lower --lr-g or check the data");
      }
      optG.step(lrG);
      if (!adversarial) {
        return new StepLosses(gv, l1v, lpv, advv, Double.NaN);
      }

      // D step on the detached prediction.
      NDArray fake = pred.stopGradient();
      double dv;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray dl = Losses.discriminator(
            nets.discriminate(fake, in.ageB(), true),
            nets.discriminate(in.b(), in.ageB(), true),
            nets.discriminate(in.b(), wrongPlane, true));
        gc.backward(dl);
        dv = dl.getFloat();
      }
      StepLosses l = new StepLosses(gv, l1v, lpv, advv, dv);
      if (!Double.isFinite(dv)) {
        throw new IllegalStateException("loss is not finite at step " + (globalStep + 1) + " ("
            + l + "); lower --lr-g / --lr-d or check the data");
      }
      optD.step(lrD);
      return l;
    }
  }
}
