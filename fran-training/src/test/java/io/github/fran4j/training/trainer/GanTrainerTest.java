package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer at a tiny size: smoke run, run directory, exact resume, stop and bad input. */
class GanTrainerTest {
  @TempDir static Path shared;
  static Path train;
  static Path val;

  @TempDir Path tmp;

  @BeforeAll
  static void data() throws IOException {
    train = TinyDatasets.write(shared.resolve("train"), 6, new int[] {20, 50, 80}, 32, 1);
    val = TinyDatasets.write(shared.resolve("val"), 2, new int[] {20, 50, 80}, 32, 2);
  }

  static TrainingConfig.Builder tiny(Path run) {
    return TrainingConfig.builder(train, run)
        .optValDir(val)
        .optUNet(UNetConfig.builder().optBaseWidth(4).optDepth(3).optTrainingResolution(32).build())
        .optDiscriminatorWidth(4)
        .optIdentitiesPerBatch(2)
        .optBatchesPerEpoch(4)
        .optEpochs(2)
        .optLrG(2e-3)
        .optLrD(1e-4)
        .optSeed(42)
        .optWorkers(1)
        .optKeepCheckpoints(2)
        .optProgressBar(false);
  }

  static GanTrainer.Result fit(TrainingConfig cfg, boolean resume) throws IOException {
    try (GanTrainer t = GanTrainer.create(cfg, resume)) {
      return t.fit();
    }
  }

  @Test
  void smokeRunLearnsAndWritesTheRunDirectory() throws IOException {
    Path run = tmp.resolve("run");
    TrainingConfig cfg = tiny(run).optEpochs(4).optBatchesPerEpoch(6).build();
    GanTrainer.Result r = fit(cfg, false);
    assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(r.globalStep()).isEqualTo(24);
    List<EpochMetrics> m = r.metrics();
    assertThat(m).hasSize(4);
    for (EpochMetrics e : m) {
      assertThat(List.of(e.trainG(), e.trainD(), e.trainL1(), e.trainAdv(), e.valG(), e.valD(),
          e.valL1(), e.valPsnr(), e.identityL1())).allMatch(Double::isFinite);
      assertThat(e.trainLpips()).isNaN(); // no LPIPS file given
    }
    assertThat(m.get(3).trainL1()).isLessThan(m.get(0).trainL1());
    // Validation runs in eval mode on BatchNorm running statistics, which lag far behind after 24
    // tiny steps; the learning check on held-out identities is the benchmark in
    // docs/benchmarks.md, not this smoke test.
    // The identity baseline is data-only: the same every epoch.
    assertThat(m.get(3).identityL1()).isEqualTo(m.get(0).identityL1());

    List<String> csv = Files.readAllLines(run.resolve("metrics.csv"), StandardCharsets.UTF_8);
    assertThat(csv).hasSize(5);
    assertThat(csv.get(0)).isEqualTo(EpochMetrics.CSV_HEADER);
    assertThat(EpochMetrics.fromCsv(csv.get(4)).epoch()).isEqualTo(4);
    for (String f : new String[] {"losses.png", "validation.png", "psnr.png", "run.json",
        "samples/epoch-0001.png", "samples/epoch-0004.png", "model.safetensors"}) {
      assertThat(run.resolve(f)).as(f).isNotEmptyFile();
    }
    assertThat(Files.readString(run.resolve("run.json"))).contains("LPIPS weights file");
    // Only the newest 2 checkpoints, no temporaries.
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("step-00000018", "step-00000024");
    }
    StateDict model = SafeTensors.read(run.resolve("model.safetensors"));
    assertThat(UNetConfig.fromStateDict(model)).isEqualTo(cfg.hyperparameters().unet());
    assertThat(model.get("inc.double_conv.1.num_batches_tracked").toLongArray()).containsExactly(24);
  }

  private static StateDict latest(Path run, String file) throws IOException {
    Path dir = new RunDirectory(run).latestCheckpoint().orElseThrow();
    return SafeTensors.read(dir.resolve(file));
  }

  private static void assertSameWeights(StateDict a, StateDict b) {
    assertThat(a.names()).containsExactlyElementsOf(b.names());
    for (String n : a.names()) {
      Tensor x = a.get(n);
      Tensor y = b.get(n);
      assertThat(x).as(n).isEqualTo(y); // bit-exact
    }
  }

  @Test
  void resumeAfterStepLimitAndAfterEpochEqualsUninterruptedRun() throws IOException {
    Path full = tmp.resolve("full");
    fit(tiny(full).build(), false);

    // Stopped mid-epoch 2 (step 6 of 8), then resumed.
    Path cut = tmp.resolve("cut");
    GanTrainer.Result first = fit(tiny(cut).optMaxSteps(6).build(), false);
    assertThat(first.outcome()).isEqualTo(GanTrainer.Outcome.MAX_STEPS);
    assertThat(first.globalStep()).isEqualTo(6);
    // The limit still validates where it stops, but only complete epochs go to metrics.csv.
    assertThat(first.metrics()).extracting(EpochMetrics::globalStep).containsExactly(4L, 6L);
    assertThat(first.metrics().get(1).valL1()).isFinite();
    assertThat(Files.readAllLines(cut.resolve("metrics.csv"))).hasSize(2);
    GanTrainer.Result second = fit(tiny(cut).build(), true);
    assertThat(second.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(second.globalStep()).isEqualTo(8);

    // A step limit at the end of epoch 1 validates that epoch as usual, then stops.
    Path limitCut = tmp.resolve("limit-cut");
    GanTrainer.Result limited = fit(tiny(limitCut).optMaxSteps(4).build(), false);
    assertThat(limited.outcome()).isEqualTo(GanTrainer.Outcome.MAX_STEPS);
    assertThat(limited.metrics()).extracting(EpochMetrics::globalStep).containsExactly(4L);
    assertThat(Files.readAllLines(limitCut.resolve("metrics.csv"))).hasSize(2);
    assertThat(fit(tiny(limitCut).build(), true).globalStep()).isEqualTo(8);

    // Stopped after epoch 1 (epochs = 1), then resumed with epochs = 2.
    Path epochCut = tmp.resolve("epoch-cut");
    fit(tiny(epochCut).optEpochs(1).build(), false);
    fit(tiny(epochCut).build(), true);

    for (Path run : new Path[] {cut, limitCut, epochCut}) {
      assertSameWeights(latest(full, "generator.safetensors"), latest(run, "generator.safetensors"));
      assertSameWeights(latest(full, "discriminator.safetensors"),
          latest(run, "discriminator.safetensors"));
      assertSameWeights(latest(full, "optimizer-g.safetensors"),
          latest(run, "optimizer-g.safetensors"));
      // metrics.csv: same epochs, same validation numbers.
      List<String> a = Files.readAllLines(full.resolve("metrics.csv"));
      List<String> b = Files.readAllLines(run.resolve("metrics.csv"));
      assertThat(b).hasSameSizeAs(a);
      for (int i = 1; i < a.size(); i++) {
        EpochMetrics x = EpochMetrics.fromCsv(a.get(i));
        EpochMetrics y = EpochMetrics.fromCsv(b.get(i));
        assertThat(y.valL1()).isEqualTo(x.valL1());
        assertThat(y.trainG()).isEqualTo(x.trainG());
      }
    }
  }

  @Test
  void theTrainingPairsAreRotatedAsTheHyperparametersSay() throws IOException {
    for (double max : new double[] {0, 3, 10}) {
      try (GanTrainer t = GanTrainer.create(
          tiny(tmp.resolve("rot" + max)).optMaxRotationDegrees(max).build(), false)) {
        double widest = 0;
        for (long seed = 0; seed < 200; seed++) {
          widest = Math.max(widest,
              Math.abs(t.trainLoader().augmentation().draw(seed).rotationDegrees()));
        }
        // 200 uniform draws reach past 90% of the range (the odds of missing: 0.9^200).
        assertThat(widest).isLessThanOrEqualTo(max).isGreaterThanOrEqualTo(0.9 * max);
      }
    }
  }

  @Test
  void stopRequestFinishesTheStepAndCheckpoints() throws IOException {
    Path run = tmp.resolve("run");
    try (GanTrainer t = GanTrainer.create(tiny(run).build(), false)) {
      t.addListener(new TrainingListener() {
        @Override
        public void onStep(StepEvent e) {
          if (e.globalStep() == 3) {
            t.requestStop(); // what the CLI's Ctrl-C hook does
          }
        }
      });
      GanTrainer.Result r = t.fit();
      assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.STOPPED);
      assertThat(r.globalStep()).isEqualTo(3);
    }
    Path ckpt = new RunDirectory(run).latestCheckpoint().orElseThrow();
    assertThat(ckpt.getFileName().toString()).isEqualTo("step-00000003");
    Checkpoint c = RunDirectory.readCheckpoint(ckpt);
    assertThat(c.epoch()).isZero();
    assertThat(c.batch()).isEqualTo(3);
  }

  @Test
  void rejectsFolderThatIsNotADataset() throws IOException {
    Path notData = Files.createDirectories(tmp.resolve("photos/holiday"));
    Files.writeString(notData.resolve("readme.txt"), "hi");
    TrainingConfig cfg = TrainingConfig.builder(tmp.resolve("photos"), tmp.resolve("run")).build();
    assertThatThrownBy(() -> GanTrainer.create(cfg, false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("--data")
        .hasMessageContaining("is not a FRAN dataset");
    assertThat(tmp.resolve("run")).doesNotExist();
  }

  @Test
  void resumeChecksTheRunDirectoryAndTheSettings() throws IOException {
    Path run = tmp.resolve("run");
    assertThatThrownBy(() -> GanTrainer.create(tiny(run).build(), true))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("nothing to resume");
    fit(tiny(run).optMaxSteps(1).build(), false);
    assertThatThrownBy(() -> GanTrainer.create(tiny(run).build(), false))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("already holds checkpoints")
        .hasMessageContaining("--resume");
    TrainingConfig wider = tiny(run)
        .optUNet(UNetConfig.builder().optBaseWidth(6).optDepth(3).optTrainingResolution(32).build())
        .optSeed(7)
        .build();
    assertThatThrownBy(() -> GanTrainer.create(wider, true))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("different settings")
        .hasMessageContaining("unet")
        .hasMessageContaining("seed: checkpoint 42, now 7");
  }

  @Test
  void rejectsUnwritableRunDirectory() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    TrainingConfig cfg = tiny(file.resolve("run")).build();
    assertThatThrownBy(() -> GanTrainer.create(cfg, false))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("not writable");
    TrainingConfig onFile = tiny(file).build();
    assertThatThrownBy(() -> GanTrainer.create(onFile, false))
        .isInstanceOf(RunDirectoryException.class)
        .hasMessageContaining("is a file");
  }

  @Test
  void failedCheckpointLeavesNothingHalfWritten() throws IOException {
    RunDirectory rd = new RunDirectory(tmp.resolve("run"));
    rd.prepare(false);
    StateDict ok = StateDict.builder().put("w", Tensor.zeros(2)).build();
    com.google.gson.JsonObject key = new com.google.gson.JsonObject();
    rd.writeCheckpoint(new Checkpoint(0, 1, 1, ok, ok, ok, ok, key), 3);
    // A tensor named __metadata__ makes the writer fail after the temporary folder exists.
    StateDict bad = StateDict.builder().put("__metadata__", Tensor.zeros(1)).build();
    assertThatThrownBy(() -> rd.writeCheckpoint(new Checkpoint(0, 2, 2, ok, bad, ok, ok, key), 3))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("could not write checkpoint");
    try (Stream<Path> s = Files.list(rd.checkpointsDir())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("step-00000001");
    }
    assertThat(rd.latestCheckpoint().orElseThrow().getFileName().toString())
        .isEqualTo("step-00000001");
  }
}
