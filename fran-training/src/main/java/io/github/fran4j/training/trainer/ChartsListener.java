package io.github.fran4j.training.trainer;

import java.io.IOException;
import java.nio.file.Path;

/** Redraws the run's PNG charts ({@link Charts}) after each validation. */
final class ChartsListener implements TrainingListener {
  private final Path dir;

  ChartsListener(Path dir) {
    this.dir = dir;
  }

  @Override
  public void onValidation(ValidationEvent e) throws IOException {
    Charts.write(e.history(), dir);
  }
}
