package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.training.data.DatasetCheck;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.trainer.CommunityGanStep;
import io.github.fran4j.training.trainer.GanTrainer;
import io.github.fran4j.training.trainer.InitWeights;
import io.github.fran4j.training.trainer.TrainingConfig;
import io.github.fran4j.training.trainer.TrainingRecipe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fran train}: trains a generator and discriminator on an age dataset with the reference's
 * settings, writing checkpoints, metrics, per-step losses, charts and sample grids into the run
 * directory. Every image is decoded before the first step (a bad one is refused by name, or skipped
 * with {@code --lenient}). Ctrl-C finishes the current step, writes a checkpoint and exits with
 * status 130; an error during training also writes one first and says where; {@code --resume}
 * continues from it.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a FRAN generator (U-Net) against a PatchGAN discriminator.",
      "The dataset is DIR/<age>/<identity>.jpg|png with every identity at every age.",
      "Fine-tune a pretrained model of either family with --init-generator (and "
          + "--init-discriminator).",
      "Ctrl-C finishes the current step and writes a checkpoint; continue with --resume."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:training finished (or the step limit was reached)",
      "1:bad data (unreadable images are named), run directory, checkpoint or weights file, or an"
          + " error during training after writing a checkpoint (message on stderr)",
      "2:bad command line",
      "6:the engine failed during training, after writing a checkpoint",
      "130:stopped by Ctrl-C after writing a checkpoint"
    })
public final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training dataset.")
  Path data;

  @Option(names = "--val", paramLabel = "DIR",
      description = "Validation dataset with held-out identities (default: fixed training pairs).")
  Path val;

  @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory.")
  Path out;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "100",
      description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--size", paramLabel = "PX", defaultValue = "256",
      description = "Training resolution, a multiple of 16 (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--width", paramLabel = "W", defaultValue = "64",
      description = "Generator base width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--d-width", paramLabel = "W", defaultValue = "64",
      description = "Discriminator width (default: ${DEFAULT-VALUE}).")
  int dWidth;

  @Option(names = "--upsampling", paramLabel = "KIND", defaultValue = "transposed",
      description = "transposed or bilinear (default: ${DEFAULT-VALUE}).")
  Upsampling upsampling;

  @Option(names = "--blur-pool", description = "Anti-aliased down/up-sampling (FRAN paper).")
  boolean blurPool;

  @Option(names = "--batch-identities", paramLabel = "K", defaultValue = "4",
      description = "Identities (pairs) per batch (default: ${DEFAULT-VALUE}, i.e. 8 images).")
  int batchIdentities;

  @Option(names = "--batches-per-epoch", paramLabel = "N", defaultValue = "0",
      description = "Override batches per epoch (default: identities x ages / 2K).")
  int batchesPerEpoch;

  @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "reference",
      converter = RecipeConverter.class,
      description = "reference (the reference's settings) or fast (zero-initialised output, "
          + "L1-only warm-up, cosine learning rate in steps; see docs/training.md) "
          + "(default: ${DEFAULT-VALUE}).")
  TrainingRecipe recipe;

  @Option(names = "--lr-g", paramLabel = "X",
      description = "Generator learning rate (default: 1e-4; 1e-3 with --recipe fast).")
  Double lrG;

  @Option(names = "--lr-d", paramLabel = "X",
      description = "Discriminator learning rate (default: 1e-5; 1e-4 with --recipe fast).")
  Double lrD;

  @Option(names = "--adv-warmup-steps", paramLabel = "N",
      description = "Steps with L1 (and LPIPS) only, no discriminator (default: 0; 1000 with "
          + "--recipe fast).")
  Long advWarmupSteps;

  @Option(names = "--max-rotation", paramLabel = "DEG",
      description = "Rotation augmentation: pairs turned by up to +-DEG degrees, 0 to 45 "
          + "(default: 3, the reference's; 0 keeps aligned data sharp).")
  Double maxRotation;

  @Option(names = "--lr-warmup-steps", paramLabel = "N",
      description = "Steps of linear learning-rate warm-up (default: 0; 50 with --recipe fast).")
  Long lrWarmupSteps;

  @Option(names = "--output-init-scale", paramLabel = "X",
      description = "Scale of the generator's initial output layer, 0 to 1 (default: 1; 0 with "
          + "--recipe fast: start at 'no change').")
  Double outputInitScale;

  @Option(names = "--detail-weight", paramLabel = "X",
      description = "Weight of the detail term, the L1 of the high-pass-filtered error, which "
          + "draws one-pixel structure such as wrinkles early (default: 0; 8 with --recipe fast).")
  Double detailWeight;

  @Option(names = "--lpips-weights", paramLabel = "FILE",
      description = "LPIPS-VGG16 safetensors file (see docs/training.md); without it no LPIPS.")
  Path lpipsWeights;

  @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
  boolean resume;

  @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
      description = "Stop (with a checkpoint and a validation) after N steps in total; 0 = no "
          + "limit.")
  long maxSteps;

  @Option(names = "--minutes", paramLabel = "N",
      description = "Time budget: stop at the last epoch boundary that fits in N minutes, with "
          + "a checkpoint; a step-based (fast) schedule is compressed to end in time "
          + "(default: none).")
  Double minutes;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Seed for initialisation, sampling and augmentation (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "2",
      description = "Data loader threads (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--keep", paramLabel = "N", defaultValue = "3",
      description = "Checkpoints to keep (default: ${DEFAULT-VALUE}).")
  int keep;

  @Option(names = "--lenient",
      description = "Skip unreadable images and incomplete identities (counted, said on stderr and "
          + "recorded in run.json) instead of refusing the dataset before the first step.")
  boolean lenient;

  @Option(names = "--no-progress", description = "Hide the progress bar.")
  boolean noProgress;

  @Option(names = "--init-generator", paramLabel = "FILE",
      description = "Fine-tune: start from a pretrained generator (.safetensors or torch.save "
          + ".pth) of either family, e.g. the community's best_unet_model.pth; its family and "
          + "sizes come from the file.")
  Path initGenerator;

  @Option(names = "--init-discriminator", paramLabel = "FILE",
      description = "Fine-tune: start from a pretrained discriminator of the generator's family, "
          + "e.g. best_discriminator_model.pth (default: random weights).")
  Path initDiscriminator;

  @Option(names = "--family", paramLabel = "NAME",
      description = "reference or community: the U-Net family to train from random weights; with "
          + "--init-generator only a check (default: the file's, else reference).")
  String family;

  @Option(names = "--accumulate", paramLabel = "N", defaultValue = "1",
      description = "Batches whose gradients are averaged into one update, community family only "
          + "(its trainer uses 3) (default: ${DEFAULT-VALUE}).")
  int accumulate;

  @Option(names = "--device", paramLabel = "DEV", defaultValue = "auto",
      description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}; CUDA needs the"
          + " -Ppytorch-cuda build, see docs/training.md).")
  String device;

  /**
   * Builds the training settings from the options.
   *
   * @return the settings
   * @throws IllegalArgumentException if a value is out of range or contradicts an init file (the
   *     message names both)
   * @throws IOException if an init file cannot be read
   * @throws io.github.fran4j.core.ModelFormatException if an init file is not a FRAN network, or
   *     the two are of different families
   */
  TrainingConfig config() throws IOException {
    UNetFamily fam = family == null ? null : UNetFamily.fromId(family);
    UNetConfig unet;
    int discriminatorWidth = dWidth;
    var parsed = spec.commandLine().getParseResult();
    if (initGenerator != null) {
      InitWeights init = InitWeights.read(initGenerator, initDiscriminator, fam);
      fam = init.family();
      for (String option : List.of("--width", "--upsampling")) {
        if (parsed.hasMatchedOption(option)) {
          throw new IllegalArgumentException(option + " conflicts with --init-generator "
              + initGenerator + ", which sets the architecture: " + init.config().toJson()
              + "; drop " + option);
        }
      }
      unet = init.config().toBuilder().optTrainingResolution(size).optBlurPool(blurPool).build();
      if (init.discriminator().isPresent()) {
        discriminatorWidth = init.discriminatorWidth(dWidth);
        if (parsed.hasMatchedOption("--d-width") && discriminatorWidth != dWidth) {
          throw new IllegalArgumentException("--d-width " + dWidth + " conflicts with "
              + "--init-discriminator " + initDiscriminator + ", whose width is "
              + discriminatorWidth + "; drop --d-width");
        }
      }
    } else {
      if (initDiscriminator != null) {
        throw new IllegalArgumentException("--init-discriminator needs --init-generator");
      }
      fam = fam == null ? UNetFamily.REFERENCE : fam;
      UNetConfig.Builder ub = UNetConfig.builder()
          .optFamily(fam)
          .optBaseWidth(width)
          .optTrainingResolution(size);
      if (fam == UNetFamily.REFERENCE) {
        ub.optUpsampling(upsampling).optBlurPool(blurPool);
      }
      unet = ub.build();
    }
    if (fam == UNetFamily.COMMUNITY && (blurPool || parsed.hasMatchedOption("--upsampling"))) {
      throw new IllegalArgumentException("--blur-pool and --upsampling are reference-family "
          + "options; the community family has its own BlurPool and transposed up-sampling");
    }
    TrainingConfig.Builder b = TrainingConfig.builder(data, out)
        .optRecipe(recipe)
        .optValDir(val)
        .optUNet(unet)
        .optDiscriminatorWidth(discriminatorWidth)
        .optEpochs(epochs)
        .optIdentitiesPerBatch(batchIdentities)
        .optBatchesPerEpoch(batchesPerEpoch)
        .optAccumulate(accumulate)
        .optInitGenerator(initGenerator)
        .optInitDiscriminator(initDiscriminator);
    // The community trainer's rate for both networks, unless given.
    double communityLr = CommunityGanStep.LEARNING_RATE;
    if (lrG != null || fam == UNetFamily.COMMUNITY) {
      b.optLrG(lrG != null ? lrG : communityLr);
    }
    if (lrD != null || fam == UNetFamily.COMMUNITY) {
      b.optLrD(lrD != null ? lrD : communityLr);
    }
    if (advWarmupSteps != null) {
      b.optAdversarialWarmupSteps(advWarmupSteps);
    }
    if (lrWarmupSteps != null) {
      b.optLrWarmupSteps(lrWarmupSteps);
    }
    if (outputInitScale != null) {
      b.optOutputInitScale(outputInitScale);
    }
    if (maxRotation != null) {
      b.optMaxRotationDegrees(maxRotation);
    }
    if (detailWeight != null) {
      b.optDetailWeight(detailWeight);
    }
    if (minutes != null) {
      b.optTimeBudget(java.time.Duration.ofMillis(Math.round(minutes * 60_000)));
    }
    return b
        .optLpipsWeights(lpipsWeights)
        .optSeed(seed)
        .optMaxSteps(maxSteps)
        .optWorkers(workers)
        .optKeepCheckpoints(keep)
        .optProgressBar(!noProgress)
        .optLenient(lenient)
        .optDevice(Device.parse(device))
        .build();
  }

  @Option(names = "--overwrite",
      description = "Use a non-empty --out folder that is not a run directory.")
  boolean overwrite;
  /** Parses a recipe name case-insensitively. */
  static final class RecipeConverter implements picocli.CommandLine.ITypeConverter<TrainingRecipe> {
    @Override
    public TrainingRecipe convert(String value) {
      try {
        return TrainingRecipe.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "unknown recipe '" + value + "'; expected reference or fast");
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outW = spec.commandLine().getOut();
    OptionChecks checks = OptionChecks.of(spec.commandLine()).atLeast("--epochs", epochs, 1)
        .inRange("--size", size, 16, 4096).atLeast("--workers", workers, 0)
        .atLeast("--keep", keep, 1).atLeast("--max-steps", maxSteps, 0)
        .atLeast("--batch-identities", batchIdentities, 1)
        .atLeast("--batches-per-epoch", batchesPerEpoch, 0);
    if (maxRotation != null) {
      checks.inRange("--max-rotation", maxRotation, 0, PairAugmentation.ROTATION_LIMIT_DEGREES);
    }
    if (detailWeight != null) {
      checks.nonNegative("--detail-weight", detailWeight);
    }
    if (minutes != null) {
      checks.positive("--minutes", minutes);
    }
    TrainingConfig cfg;
    try {
      String refused = OutputFolders.overlap("--out", out, "--data", data);
      if (refused == null) {
        refused = OutputFolders.overlap("--out", out, "--val", val);
      }
      if (refused == null) {
        // A run directory is ours: train continues it (--resume) or says it holds checkpoints.
        refused = OutputFolders.refusal("--out", out,
            d -> Files.exists(d.resolve("run.json")) || Files.isDirectory(d.resolve("checkpoints")),
            overwrite);
      }
      if (refused != null) {
        err.println("fran train: " + refused);
        return 2;
      }
    } catch (IOException e) {
      err.println("fran train: cannot check --out " + out + ": " + e.getMessage());
      return 2;
    }
    try {
      cfg = config();
    } catch (IOException e) {
      err.println("fran train: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("fran train: " + e.getMessage());
      return 2;
    }
    CountDownLatch done = new CountDownLatch(1);
    try (GanTrainer trainer = GanTrainer.create(cfg, resume)) {
      if (!trainer.skippedImages().isEmpty()) {
        err.println("fran train: --lenient: skipping "
            + DatasetCheck.describe(trainer.skippedImages()));
        err.flush();
      }
      // Ctrl-C: let the step finish and the checkpoint be written before the JVM exits.
      Thread hook = new Thread(() -> {
        trainer.requestStop();
        try {
          done.await(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "fran-train-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      GanTrainer.Result r;
      try {
        r = trainer.fit();
      } finally {
        done.countDown();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting because of Ctrl-C; the hook is already running
      }
      outW.printf("%s after %d steps; run directory %s%n", r.outcome(), r.globalStep(),
          trainer.runDirectory().root());
      if (!r.metrics().isEmpty()) {
        var m = r.metrics().get(r.metrics().size() - 1);
        outW.printf("last epoch %d: val L1 %.4f vs identity %.4f, PSNR %.2f dB vs %.2f dB, "
            + "change captured %.0f%%%n", m.epoch(), m.valL1(), m.identityL1(), m.valPsnr(),
            m.identityPsnr(), 100 * m.changeCaptured());
      }
      outW.flush();
      return r.outcome() == GanTrainer.Outcome.STOPPED ? 130 : 0;
    } catch (IOException e) {
      err.println("fran train: " + e.getMessage());
      return 1;
    } catch (IllegalStateException e) {
      err.println("fran train: " + e.getMessage());
      return 1;
    }
  }
}
