package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code losses.csv}: a run stopped after N steps has N rows whose numbers are exactly what the
 * steps returned; a resume appends without repeating a step. And a resume with a changed
 * hyperparameter is refused, naming it, while changed run options are accepted.
 */
class LossCsvTest {
  @TempDir Path tmp;

  private static TrainingConfig.Builder tiny(Path data, Path run) {
    return TinyDatasets.config(data, run).optEpochs(2).optSeed(5);
  }

  /** Runs and records every step event. */
  private static List<TrainingListener.StepEvent> fit(TrainingConfig cfg, boolean resume)
      throws IOException {
    List<TrainingListener.StepEvent> seen = new ArrayList<>();
    try (GanTrainer t = GanTrainer.create(cfg, resume)) {
      t.addListener(new TrainingListener() {
        @Override
        public void onStep(StepEvent e) {
          seen.add(e);
        }
      });
      t.fit();
    }
    return seen;
  }

  private static double cell(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }

  @Test
  void aStoppedRunHasOneRowPerStepWithTheStepsLosses() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path run = tmp.resolve("run");
    List<TrainingListener.StepEvent> steps = fit(tiny(data, run).optMaxSteps(4).build(), false);
    assertThat(steps).hasSize(4);

    List<String> lines = Files.readAllLines(run.resolve("losses.csv"), StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("step,epoch,batch,lr_g,lr_d,g,l1,lpips,adv,d");
    assertThat(lines).hasSize(1 + 4);
    for (int i = 0; i < 4; i++) {
      String[] c = lines.get(1 + i).split(",", -1);
      TrainingListener.StepEvent e = steps.get(i);
      assertThat(Long.parseLong(c[0])).isEqualTo(i + 1);
      // Step 4 is the first of epoch 2 (3 batches per epoch).
      assertThat(Integer.parseInt(c[1])).isEqualTo(i < 3 ? 1 : 2);
      assertThat(Integer.parseInt(c[2])).isEqualTo(i < 3 ? i + 1 : 1);
      assertThat(cell(c[3])).isEqualTo(e.lrG()).isEqualTo(1e-4);
      assertThat(cell(c[4])).isEqualTo(e.lrD()).isEqualTo(1e-5);
      double[] expected = {e.losses().g(), e.losses().l1(), e.losses().adv(), e.losses().d()};
      double[] written = {cell(c[5]), cell(c[6]), cell(c[8]), cell(c[9])};
      assertThat(written).containsExactly(expected);
      assertThat(java.util.Arrays.stream(written).allMatch(Double::isFinite)).isTrue();
      assertThat(c[7]).as("LPIPS off").isEmpty();
      // G = 1 x L1 + 0.05 x adversarial (the reference's weights; float arithmetic).
      assertThat(written[0]).isCloseTo(written[1] + 0.05 * written[2],
          org.assertj.core.data.Offset.offset(1e-5));
    }

    // A run cut after its last checkpoint leaves rows the checkpoint does not cover: simulate
    // one, then resume; each step appears once, in order.
    Files.writeString(run.resolve("losses.csv"), "5,2,2,1e-4,1e-5,9,9,,9,9\n",
        StandardOpenOption.APPEND);
    List<TrainingListener.StepEvent> rest = fit(tiny(data, run).build(), true);
    assertThat(rest).hasSize(2);
    List<String> after = Files.readAllLines(run.resolve("losses.csv"), StandardCharsets.UTF_8);
    assertThat(after).hasSize(1 + 6);
    assertThat(after.subList(1, 5)).isEqualTo(lines.subList(1, 5));
    for (int i = 0; i < 6; i++) {
      assertThat(after.get(1 + i)).startsWith((i + 1) + ",");
    }
    assertThat(cell(after.get(5).split(",", -1)[5])).isEqualTo(rest.get(0).losses().g());
  }

  @Test
  void resumeRefusesAChangedHyperparameterNamingItButAcceptsNewRunOptions() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path run = tmp.resolve("run");
    fit(tiny(data, run).optMaxSteps(1).build(), false);
    assertThatThrownBy(() -> GanTrainer.create(tiny(data, run).optLrG(3e-4).build(), true))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("different settings")
        .hasMessageContaining("lr_g: checkpoint 1.0E-4, now 3.0E-4");
    assertThatThrownBy(() -> GanTrainer.create(tiny(data, run).optIdentitiesPerBatch(1).build(),
        true))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("identities_per_batch: checkpoint 2, now 1");
    // Epochs, step limit, workers, checkpoints kept, samples: run options, free to change.
    List<TrainingListener.StepEvent> more = fit(tiny(data, run).optEpochs(1).optMaxSteps(3)
        .optWorkers(1).optKeepCheckpoints(1).optSampleCount(2).build(), true);
    assertThat(more).extracting(TrainingListener.StepEvent::globalStep).containsExactly(2L, 3L);
  }
}
