package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.weights.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, lost training work: a corrupt image met at step 13 of 24 stopped the run with no
 * checkpoint, although decoding the dataset first would have found it. Now every image is decoded
 * before step 1 (refused by name, or skipped in lenient mode), and any error during training
 * writes a checkpoint first, from which {@code --resume} continues.
 */
class TrainingRobustnessTest {
  @TempDir Path tmp;

  private static TrainingConfig.Builder tiny(Path data, Path run) {
    return TinyDatasets.config(data, run).optEpochs(1).optSeed(11);
  }

  private static GanTrainer.Result fit(TrainingConfig cfg, boolean resume) throws IOException {
    try (GanTrainer t = GanTrainer.create(cfg, resume)) {
      return t.fit();
    }
  }

  private static void truncate(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(b, b.length / 3));
  }

  private Path dataWithTwoBadImages() throws IOException {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    truncate(data.resolve("20/0001.png"));
    Files.writeString(data.resolve("60/0002.png"), "not a png");
    return data;
  }

  @Test
  void unreadableImagesAreRefusedBeforeTheFirstStepNamingEach() throws Exception {
    Path data = dataWithTwoBadImages();
    Path run = tmp.resolve("run");
    assertThatThrownBy(() -> GanTrainer.create(tiny(data, run).build(), false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("2 unreadable images")
        .hasMessageContaining(data.resolve("20/0001.png").toString())
        .hasMessageContaining(data.resolve("60/0002.png").toString())
        .hasMessageContaining("--lenient");
    assertThat(run).doesNotExist();
  }

  @Test
  void lenientSkipsUnreadableImagesCountingThemInRunJson() throws Exception {
    Path data = dataWithTwoBadImages();
    Path run = tmp.resolve("run");
    try (GanTrainer t = GanTrainer.create(tiny(data, run).optLenient(true).optMaxSteps(3).build(),
        false)) {
      assertThat(t.skippedImages()).hasSize(2);
      assertThat(t.skippedImages().get(0)).contains(data.resolve("20/0001.png").toString());
      assertThat(t.fit().globalStep()).isEqualTo(3);
    }
    String json = Files.readString(run.resolve("run.json"));
    assertThat(json).contains("\"skipped_images\": 2").contains("0002.png")
        .contains("\"lenient\": true");
  }

  private static Map<Path, byte[]> breakAll(Path dir) throws IOException {
    Map<Path, byte[]> saved = new HashMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        saved.put(f, Files.readAllBytes(f));
        truncate(f);
      }
    }
    return saved;
  }

  @Test
  void anImageThatBreaksDuringTrainingLeavesACheckpointToResumeFrom() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path val = TinyDatasets.write(tmp.resolve("val"), 2, new int[] {20, 60}, 32, 2);
    Path full = tmp.resolve("full");
    fit(tiny(data, full).optValDir(val).optEpochs(2).build(), false);

    Path run = tmp.resolve("run");
    Map<Path, byte[]> saved = new HashMap<>();
    try (GanTrainer t = GanTrainer.create(tiny(data, run).optValDir(val).optEpochs(2).build(),
        false)) {
      t.addListener(new TrainingListener() {
        @Override
        public void onStep(StepEvent e) throws IOException {
          if (e.globalStep() == 2) {
            saved.putAll(breakAll(data)); // the disk goes bad after the check before step 1
          }
        }
      });
      assertThatThrownBy(t::fit)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("at epoch 1, batch 2/3, step 2")
          .hasMessageContaining("checkpoint written to " + run.toAbsolutePath()
              .resolve("checkpoints/step-00000002"))
          .hasMessageContaining("continue with --resume");
    }
    assertThat(Files.readAllLines(run.resolve("losses.csv"))).hasSize(1 + 2);
    for (Map.Entry<Path, byte[]> e : saved.entrySet()) {
      Files.write(e.getKey(), e.getValue());
    }
    GanTrainer.Result r = fit(tiny(data, run).optValDir(val).optEpochs(2).build(), true);
    assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(r.globalStep()).isEqualTo(6);
    // The failure struck between steps, so the resumed run is the uninterrupted one, bit for bit.
    for (String f : List.of("generator.safetensors", "discriminator.safetensors",
        "optimizer-g.safetensors")) {
      Path a = new RunDirectory(full).latestCheckpoint().orElseThrow().resolve(f);
      Path b = new RunDirectory(run).latestCheckpoint().orElseThrow().resolve(f);
      assertThat(SafeTensors.read(b).tensors()).as(f).isEqualTo(SafeTensors.read(a).tensors());
    }
  }

  @Test
  void anEngineErrorLeavesACheckpointAndIsAnEngineException() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    Path run = tmp.resolve("run");
    try (GanTrainer t = GanTrainer.create(tiny(data, run).build(), false)) {
      t.addListener(new TrainingListener() {
        @Override
        public void onStep(StepEvent e) {
          if (e.globalStep() == 2) {
            throw new ai.djl.engine.EngineException("injected native failure");
          }
        }
      });
      assertThatThrownBy(t::fit)
          .isInstanceOf(EngineException.class)
          .hasMessageStartingWith("injected native failure (at epoch 1, batch 2/3, step 2; "
              + "checkpoint written to ");
    }
    assertThat(new RunDirectory(run).latestCheckpoint().orElseThrow().getFileName().toString())
        .isEqualTo("step-00000002");
    GanTrainer.Result r = fit(tiny(data, run).build(), true);
    assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(r.globalStep()).isEqualTo(3);
  }
}
