package io.github.fran4j.training.trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes {@code metrics.csv}, one row per epoch, rewritten atomically after each validation. */
final class MetricsCsvListener implements TrainingListener {
  private final Path file;

  MetricsCsvListener(Path file) {
    this.file = file;
  }

  /**
   * Reads the rows of the epochs a checkpoint covers.
   *
   * @param file {@code metrics.csv}
   * @param epochsDone the completed epochs the checkpoint holds
   * @return the rows of epochs 1 to {@code epochsDone}; rows after them belong to a run that was
   *     cut short before its next checkpoint
   */
  static List<EpochMetrics> read(Path file, long epochsDone) throws IOException {
    List<EpochMetrics> rows = new ArrayList<>();
    if (epochsDone == 0 || !Files.exists(file)) {
      return rows;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("epoch")) {
        continue;
      }
      EpochMetrics m = EpochMetrics.fromCsv(line);
      if (m.epoch() <= epochsDone) {
        rows.add(m);
      }
    }
    return rows;
  }

  @Override
  public void onValidation(ValidationEvent e) throws IOException {
    StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
    for (EpochMetrics m : e.history()) {
      sb.append(m.toCsv()).append('\n');
    }
    RunDirectory.writeAtomically(file, sb.toString());
  }
}
