package io.github.fran4j.training.trainer;

import ai.djl.ndarray.NDManager;
import io.github.fran4j.training.data.PairBatch;

/**
 * The community family's {@link GanStep}: each batch is one micro-batch of a {@link
 * CommunityGanStep}; the optimisers step when {@link Hyperparameters#accumulate()} batches have
 * been added, or on {@link #flush}. Not thread-safe.
 */
final class CommunityTrainingStep implements GanStep {
  private final GanNetworks nets;
  private final CommunityGanStep step;
  private final NDManager manager;

  CommunityTrainingStep(GanNetworks nets, CommunityGanStep step, NDManager manager) {
    this.nets = nets;
    this.step = step;
    this.manager = manager;
  }

  @Override
  public StepLosses run(PairBatch pb, long globalStep, double lrG, double lrD) {
    StepLosses l;
    try (NDManager m = manager.newSubManager()) {
      GanNetworks.Inputs in = nets.inputs(m, pb);
      try {
        l = step.microBatch(in.a(), in.b(), in.ageA(), in.ageB());
      } catch (IllegalStateException e) {
        throw new IllegalStateException("at step " + (globalStep + 1) + ": " + e.getMessage(), e);
      }
    }
    if (step.pendingMicroBatches() == step.accumulate()) {
      step.apply(lrG, lrD);
    }
    return l;
  }

  @Override
  public void flush(double lrG, double lrD) {
    if (step.pendingMicroBatches() > 0) {
      step.apply(lrG, lrD);
    }
  }
}
