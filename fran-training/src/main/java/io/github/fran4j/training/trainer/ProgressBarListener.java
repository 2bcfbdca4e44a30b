package io.github.fran4j.training.trainer;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The console progress bar, one per epoch, with the last step's losses. Training thread only. */
final class ProgressBarListener implements TrainingListener {
  private final int epochs;
  private ProgressBar bar;

  ProgressBarListener(int epochs) {
    this.epochs = epochs;
  }

  @Override
  public void onEpochBegin(long epoch, int firstBatch, int batchesPerEpoch) {
    close();
    bar = new ProgressBarBuilder()
        .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
        .setInitialMax(batchesPerEpoch)
        .startsFrom(firstBatch, java.time.Duration.ZERO)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .showSpeed()
        .build();
  }

  @Override
  public void onStep(StepEvent e) {
    if (bar != null) {
      bar.stepTo(e.batch());
      bar.setExtraMessage("G " + LogListener.fmt(e.losses().g()) + " D "
          + LogListener.fmt(e.losses().d()));
    }
  }

  @Override
  public void onEpochEnd(long epoch) {
    close();
  }

  private void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
