package io.github.fran4j.training.trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code losses.csv}: one row per training step, appended and flushed as soon as the step
 * ends, so a short, stopped or failed run still has its loss curve. A NaN term (LPIPS off, the
 * discriminator during the adversarial warm-up) is an empty cell; numbers are written so that they
 * parse back to the same {@code double}. On resume, rows after the checkpoint's step (a run cut
 * short before its next checkpoint) are dropped, so each step appears once.
 */
final class LossCsvListener implements TrainingListener {
  /** The header of {@code losses.csv}. */
  static final String HEADER = "step,epoch,batch,lr_g,lr_d,g,l1,lpips,adv,d";

  private final Path file;

  LossCsvListener(Path file) {
    this.file = file;
  }

  @Override
  public void onTrainingBegin(GanTrainer t) throws IOException {
    List<String> keep = new ArrayList<>();
    keep.add(HEADER);
    if (Files.exists(file) && t.globalStep() > 0) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        int comma = line.indexOf(',');
        if (comma > 0 && isStep(line.substring(0, comma))
            && Long.parseLong(line.substring(0, comma)) <= t.globalStep()) {
          keep.add(line);
        }
      }
    }
    RunDirectory.writeAtomically(file, String.join("\n", keep) + "\n");
  }

  private static boolean isStep(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 19;
  }

  @Override
  public void onStep(StepEvent e) throws IOException {
    StepLosses l = e.losses();
    String row = e.globalStep() + "," + (e.epoch() + 1) + "," + e.batch() + "," + cell(e.lrG())
        + "," + cell(e.lrD()) + "," + cell(l.g()) + "," + cell(l.l1()) + "," + cell(l.lpips())
        + "," + cell(l.adv()) + "," + cell(l.d()) + "\n";
    // Opened per step (a step costs far more): nothing to close when the run stops or fails.
    Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
