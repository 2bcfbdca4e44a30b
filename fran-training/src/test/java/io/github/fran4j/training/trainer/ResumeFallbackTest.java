package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corrupt newest checkpoint blocked {@code --resume}; now the run continues from the newest
 * checkpoint that reads back, and fails with every reason only when none does.
 */
class ResumeFallbackTest {
  @TempDir Path tmp;

  private TrainingConfig.Builder tiny(Path data, Path run) {
    return TinyDatasets.config(data, run)
        .optBatchesPerEpoch(2)
        .optSeed(3)
        .optWorkers(1)
        .optKeepCheckpoints(3);
  }

  private static GanTrainer.Result fit(TrainingConfig cfg, boolean resume) throws IOException {
    try (GanTrainer t = GanTrainer.create(cfg, resume)) {
      return t.fit();
    }
  }

  @Test
  void resumesFromTheNewestReadableCheckpoint() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path run = tmp.resolve("run");
    fit(tiny(data, run).optEpochs(1).build(), false); // checkpoint at step 2
    fit(tiny(data, run).optEpochs(2).build(), true); // checkpoint at step 4
    List<Path> cps = new RunDirectory(run).checkpoints();
    assertThat(cps).hasSize(2);
    Path newest = cps.get(1);
    // Damage the newest checkpoint's generator: cut it in half.
    Path gen = newest.resolve("generator.safetensors");
    byte[] b = Files.readAllBytes(gen);
    Files.write(gen, java.util.Arrays.copyOf(b, b.length / 2));

    GanTrainer.Result r = fit(tiny(data, run).optEpochs(3).build(), true);
    assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(r.globalStep()).isEqualTo(6);
    assertThat(Files.readString(run.resolve("run.json"))).contains("\"resumed_at_step\": 2");
  }

  @Test
  void noReadableCheckpointNamesEachReason() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path run = tmp.resolve("run");
    fit(tiny(data, run).optEpochs(1).build(), false);
    Path only = new RunDirectory(run).checkpoints().get(0);
    Files.writeString(only.resolve("state.json"), "{\"version\":1}");
    assertThatThrownBy(() -> fit(tiny(data, run).optEpochs(2).build(), true))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("no readable checkpoint")
        .hasMessageContaining(only.getFileName().toString())
        .hasMessageContaining("field 'resume_key' is missing");
  }
}
