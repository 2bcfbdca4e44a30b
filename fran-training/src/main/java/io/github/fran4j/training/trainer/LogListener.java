package io.github.fran4j.training.trainer;

import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The trainer's log lines: the plan, each epoch's summary, stops and failures. */
final class LogListener implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(GanTrainer.class);

  private final int epochs;
  private GanTrainer trainer;

  LogListener(int epochs) {
    this.epochs = epochs;
  }

  /** Formats a figure; NaN (the discriminator is not trained during an L1 warm-up) is "off". */
  static String fmt(double v) {
    return Double.isNaN(v) ? "off" : String.format(Locale.ROOT, "%.4f", v);
  }

  @Override
  public void onTrainingBegin(GanTrainer t) {
    trainer = t;
    Hyperparameters hp = t.config().hyperparameters();
    int res = hp.unet().trainingResolution();
    LOG.info("training {} epochs of {} batches ({} pairs each) at {}x{}, G {} params, LPIPS {}",
        epochs, t.batchesPerEpoch(), hp.identitiesPerBatch(), res, res,
        hp.unet().weightLayout().trainableParameterCount(), t.lpipsEnabled() ? "on" : "off");
  }

  @Override
  public void onValidation(ValidationEvent e) {
    EpochMetrics m = e.metrics();
    LOG.info("epoch {}/{} (step {}): train G {} D {} | val L1 {} (identity {}) PSNR {} dB "
        + "(identity {}), change captured {}", m.epoch(), epochs, m.globalStep(),
        fmt(m.trainG()), fmt(m.trainD()), fmt(m.valL1()), fmt(m.identityL1()),
        fmt(m.valPsnr()), fmt(m.identityPsnr()), fmt(m.changeCaptured()));
  }

  @Override
  public void onTrainingEnd(GanTrainer.Result r) {
    if (r.outcome() != GanTrainer.Outcome.COMPLETED && trainer != null) {
      LOG.info("{} at epoch {}, batch {}/{}, step {}; checkpoint written, continue with "
          + "--resume", switch (r.outcome()) {
            case STOPPED -> "stopped";
            case TIME_BUDGET -> "time budget used";
            default -> "step limit reached";
          }, trainer.epoch() + 1, trainer.batch(),
          trainer.batchesPerEpoch(), r.globalStep());
    }
  }

  @Override
  public void onTrainingFailed(Exception error, java.util.Optional<Path> checkpoint) {
    LOG.debug("training failed", error);
  }
}
