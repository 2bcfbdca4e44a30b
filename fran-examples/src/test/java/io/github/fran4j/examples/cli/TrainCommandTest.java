package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.training.trainer.TrainingConfig;
import io.github.fran4j.training.trainer.TrainingRecipe;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fran train}: options, exit codes and error messages. */
class TrainCommandTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path dataset() throws Exception {
    Path root = tmp.resolve("data");
    for (int age : new int[] {20, 60}) {
      Files.createDirectories(root.resolve(Integer.toString(age)));
      for (int id = 0; id < 2; id++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            img.setRGB(x, y, ((x * 8) << 16) | ((y * 8) << 8) | (age + id * 50));
          }
        }
        ImageIO.write(img, "png", root.resolve(age + "/" + id + ".png").toFile());
      }
    }
    return root;
  }

  @Test
  void unknownOptionIsAUsageError() {
    CliRun r = run("train", "--data", "x", "--out", "y", "--learning-rate", "1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown options: '--learning-rate'");
  }

  @Test
  void missingRequiredOptionsAreNamed() {
    CliRun r = run("train", "--data", "x");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--out");
  }

  @Test
  void badSizeIsExplained() {
    CliRun r = run("train", "--data", "x", "--out", tmp.resolve("o").toString(), "--size", "100");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("trainingResolution 100 must be a multiple of 2^depth = 16");
  }

  @Test
  void cudaWithoutCudaNativesIsOneClearLineAndWritesNothing() throws Exception {
    Path data = dataset();
    Path out = tmp.resolve("gpu-run");
    CliRun r = run("train", "--data", data.toString(), "--out", out.toString(), "--size", "32",
        "--width", "4", "--d-width", "2", "--device", "cuda", "--no-progress");
    // This build pins DJL's CPU natives (the default; -Ppytorch-cuda swaps them).
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("fran train: --device cuda:0 needs CUDA, but DJL's PyTorch")
        .contains("natives here are a CPU build; build with -Ppytorch-cuda")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  void unknownDeviceIsAUsageError() {
    CliRun r = run("train", "--data", "x", "--out", tmp.resolve("o").toString(), "--device", "tpu");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown device 'tpu', expected auto, cpu, cuda or cuda:N");
  }

  @Test
  void unknownRecipeIsAUsageError() {
    CliRun r = run("train", "--data", "x", "--out", "y", "--recipe", "quick");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown recipe 'quick'; expected reference or fast");
  }

  @Test
  void outOfRangeInitScaleIsExplained() {
    CliRun r = run("train", "--data", "x", "--out", tmp.resolve("o").toString(),
        "--output-init-scale", "2");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("outputInitScale must be in [0, 1], got 2.0");
  }

  @Test
  void maxRotationReachesTheHyperparameters() {
    assertThat(parse("--data", "x", "--out", "y").hyperparameters().maxRotationDegrees())
        .isEqualTo(3.0);
    assertThat(parse("--data", "x", "--out", "y", "--max-rotation", "0").hyperparameters()
        .maxRotationDegrees()).isZero();
  }

  @Test
  void recipeSetsDefaultsThatExplicitOptionsOverride() {
    TrainingConfig c = parse("--data", "x", "--out", "y", "--recipe", "FAST", "--lr-g", "3e-4");
    assertThat(c.recipe()).isEqualTo(TrainingRecipe.FAST);
    assertThat(c.hyperparameters().lrG()).isEqualTo(3e-4);
    assertThat(c.hyperparameters().lrD()).isEqualTo(1e-4);
    assertThat(c.hyperparameters().adversarialWarmupSteps()).isEqualTo(1000);
    assertThat(c.hyperparameters().lossWeights().detail()).isEqualTo(8);
    assertThat(parse("--data", "x", "--out", "y", "--recipe", "fast", "--detail-weight", "0")
        .hyperparameters().lossWeights().detail()).isZero();
    assertThat(parse("--data", "x", "--out", "y", "--detail-weight", "2.5")
        .hyperparameters().lossWeights().detail()).isEqualTo(2.5);
    assertThat(parse("--data", "x", "--out", "y", "--minutes", "1.5").options().timeBudget())
        .contains(java.time.Duration.ofSeconds(90));
    assertThat(parse("--data", "x", "--out", "y").options().timeBudget()).isEmpty();
    assertThat(parse("--data", "x", "--out", "y").hyperparameters().toJson())
        .isEqualTo(TrainingConfig.builder(Path.of("x"), Path.of("y")).build().hyperparameters().toJson());
  }

  /** Parses {@code fran train} options as the CLI does and returns the settings they make. */
  private static TrainingConfig parse(String... options) {
    String[] args = new String[options.length + 1];
    args[0] = "train";
    System.arraycopy(options, 0, args, 1, options.length);
    CommandLine.ParseResult pr = FranCli.commandLine().parseArgs(args);
    try {
      return ((TrainCommand) pr.subcommand().commandSpec().userObject()).config();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A reference-family discriminator state dict (five 4x4 convs, no BatchNorm) of width 2. */
  private Path referenceDiscriminator() throws Exception {
    int[] ch = {4, 2, 4, 8, 16, 1};
    io.github.fran4j.core.weights.StateDict.Builder b =
        io.github.fran4j.core.weights.StateDict.builder();
    for (int i = 0; i < 5; i++) {
      b.put("model." + (2 * i) + ".weight",
          io.github.fran4j.core.tensor.Tensor.zeros(ch[i + 1], ch[i], 4, 4));
      b.put("model." + (2 * i) + ".bias", io.github.fran4j.core.tensor.Tensor.zeros(ch[i + 1]));
    }
    Path f = tmp.resolve("reference-d.safetensors");
    io.github.fran4j.core.weights.SafeTensors.write(b.build(), f);
    return f;
  }

  @Test
  void fineTunesACommunityTorchSaveFileWithAccumulation() throws Exception {
    Path data = dataset();
    Path out = tmp.resolve("fine");
    Path g = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4");
    Path d = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_d_w8");
    CliRun r = run("train", "--data", data.toString(), "--out", out.toString(), "--size", "32",
        "--init-generator", g.toString(), "--init-discriminator", d.toString(),
        "--accumulate", "2", "--batch-identities", "1", "--batches-per-epoch", "2",
        "--epochs", "1", "--workers", "1", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("COMPLETED after 2 steps");
    var model = io.github.fran4j.core.weights.SafeTensors.read(out.resolve("model.safetensors"));
    var cfg = io.github.fran4j.core.model.UNetConfig.fromStateDict(model);
    assertThat(cfg.family().id()).isEqualTo("community");
    assertThat(cfg.baseWidth()).isEqualTo(4);
    String run = Files.readString(out.resolve("run.json"));
    assertThat(run).containsPattern("\"accumulate\": ?2").contains("init_generator", "community_w4");
  }

  @Test
  void refusesInitFilesOfTwoFamiliesNamingBoth() throws Exception {
    Path data = dataset();
    Path g = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4");
    Path d = referenceDiscriminator();
    CliRun r = run("train", "--data", data.toString(), "--out", tmp.resolve("x").toString(),
        "--size", "32", "--init-generator", g.toString(), "--init-discriminator", d.toString());
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains(g.toString(), "community-family generator", d.toString(),
        "reference-family discriminator").doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void familyAndArchitectureOptionsThatContradictTheInitFileAreUsageErrors() throws Exception {
    Path g = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4");
    CliRun conflict = run("train", "--data", "x", "--out", tmp.resolve("o").toString(),
        "--init-generator", g.toString(), "--family", "reference");
    assertThat(conflict.code()).isEqualTo(2);
    assertThat(conflict.err()).contains("--family reference conflicts with --init-generator " + g);
    CliRun width = run("train", "--data", "x", "--out", tmp.resolve("o").toString(),
        "--init-generator", g.toString(), "--width", "8");
    assertThat(width.code()).isEqualTo(2);
    assertThat(width.err()).contains("--width conflicts with --init-generator");
    CliRun acc = run("train", "--data", "x", "--out", tmp.resolve("o").toString(),
        "--accumulate", "3");
    assertThat(acc.code()).isEqualTo(2);
    assertThat(acc.err()).contains("community family only");
    CliRun missing = run("train", "--data", "x", "--out", tmp.resolve("o").toString(),
        "--init-generator", tmp.resolve("absent.pth").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("--init-generator " + tmp.resolve("absent.pth"));
  }

  @Test
  void familyCommunityWithoutAFileTrainsFromRandomWeightsAtTheCommunityRate() {
    TrainingConfig c = parse("--data", "x", "--out", "y", "--family", "community",
        "--width", "4", "--size", "32", "--accumulate", "3");
    assertThat(c.hyperparameters().unet().family().id()).isEqualTo("community");
    assertThat(c.hyperparameters().accumulate()).isEqualTo(3);
    assertThat(c.hyperparameters().lrG()).isEqualTo(1e-5);
    assertThat(c.hyperparameters().lrD()).isEqualTo(1e-5);
  }

  @Test
  void folderThatIsNotADatasetFailsWithStatus1() throws Exception {
    Path notData = Files.createDirectories(tmp.resolve("pictures/cats"));
    CliRun r = run("train", "--data", notData.getParent().toString(), "--out",
        tmp.resolve("run").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("fran train: --data").contains("is not a FRAN dataset");
  }

  @Test
  void tinyRunWithStepLimitThenResume() throws Exception {
    Path data = dataset();
    Path out = tmp.resolve("run");
    String[] common = {"train", "--data", data.toString(), "--out", out.toString(), "--size", "32",
        "--width", "4", "--d-width", "2", "--batch-identities", "1", "--epochs", "1",
        "--workers", "0", "--no-progress"};
    CliRun first = run(concat(common, "--seed", "3", "--max-steps", "1"));
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("MAX_STEPS after 1 steps");
    CliRun again = run(concat(common, "--seed", "3"));
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already holds checkpoints").contains("--resume");
    CliRun resumed = run(concat(common, "--seed", "3", "--resume"));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("COMPLETED after 2 steps").contains("val L1");
    assertThat(out.resolve("model.safetensors")).isNotEmptyFile();
    CliRun otherSeed = run(concat(common, "--resume", "--seed", "4"));
    assertThat(otherSeed.code()).isEqualTo(1);
    assertThat(otherSeed.err()).contains("different settings").contains("seed");
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
