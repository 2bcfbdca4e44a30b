package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.training.data.PairAugmentation;
import io.github.fran4j.training.data.synth.SyntheticAgingDataset;
import io.github.fran4j.training.trainer.EpochMetrics;
import io.github.fran4j.training.trainer.GanTrainer;
import io.github.fran4j.training.trainer.TrainingConfig;
import io.github.fran4j.training.trainer.TrainingListener;
import io.github.fran4j.training.trainer.TrainingRecipe;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fran demo}: the whole SDK in one command, offline. It generates a synthetic aging
 * dataset, trains a small FRAN on it with the real GAN trainer for a few minutes, exports the
 * generator to ONNX, reloads it through {@link ReAger#load}, re-ages held-out identities and
 * writes an HTML report (contact sheet, loss charts, metrics against the identity baseline).
 *
 * <p>With {@code --model} and {@code --input} it re-ages a user's image instead.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Synthesize data, train a small FRAN, export it to ONNX, re-age held-out faces, and write",
      "an HTML report. With --model and --input: re-age your own image instead."
    })
public final class DemoCommand implements Callable<Integer> {
  /** The demo's default step plan (see docs/training.md, "The fast recipe"). */
  static final int DEFAULT_STEPS = 1000;

  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "" + DEFAULT_STEPS,
      description = "Training steps the recipe plans for (default: ${DEFAULT-VALUE}); a machine "
          + "too slow for them in --minutes takes fewer, its schedule following the clock.")
  int steps;

  @Option(names = "--minutes", paramLabel = "N", defaultValue = "4",
      description = "Training time budget in minutes: a slow or loaded machine stops at an "
          + "epoch boundary before --steps, its learning-rate schedule compressed to end in "
          + "time (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "fast",
      converter = TrainCommand.RecipeConverter.class,
      description = "Training recipe: fast or reference (default: ${DEFAULT-VALUE}; see "
          + "docs/training.md).")
  TrainingRecipe recipe;

  @Option(names = "--identities", paramLabel = "N", defaultValue = "96",
      description = "Synthetic training identities (default: ${DEFAULT-VALUE}).")
  int identities;

  @Option(names = "--val-identities", paramLabel = "N", defaultValue = "12",
      description = "Held-out identities (default: ${DEFAULT-VALUE}).")
  int valIdentities;

  @Option(names = "--size", paramLabel = "PX", defaultValue = "64",
      description = "Image and training size, a multiple of 16 (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--width", paramLabel = "W", defaultValue = "16",
      description = "Generator base width (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--upsampling", paramLabel = "KIND", defaultValue = "transposed",
      description = "Decoder up-sampling: transposed (the reference) or bilinear "
          + "(default: ${DEFAULT-VALUE}).")
  Upsampling upsampling;

  @Option(names = "--batches-per-epoch", paramLabel = "N", defaultValue = "40",
      description = "Short epochs give the charts points (default: ${DEFAULT-VALUE}).")
  int batchesPerEpoch;

  @Option(names = "--batch-identities", paramLabel = "K", defaultValue = "24",
      description = "Identities per batch (default: ${DEFAULT-VALUE}).")
  int batchIdentities;

  @Option(names = "--max-rotation", paramLabel = "DEG", defaultValue = "0",
      description = "Rotation augmentation in degrees (default: ${DEFAULT-VALUE}: the synthetic "
          + "faces are aligned, and rotating blurs their pixel-wide wrinkles).")
  double maxRotation;

  @Option(names = "--lr-g", paramLabel = "X",
      description = "Generator learning rate (default: the recipe's; 1e-3 for fast).")
  Double lrG;

  @Option(names = "--detail-weight", paramLabel = "X",
      description = "Weight of the detail term (default: the recipe's; 8 for fast).")
  Double detailWeight;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "7",
      description = "Seed for data, initialisation and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--model", paramLabel = "M",
      description = "User mode: a model (.onnx, .safetensors or .pth) to re-age --input with.")
  Path model;

  @Option(names = "--input", paramLabel = "IMG", description = "User mode: the face image.")
  Path input;

  @Option(names = "--from", paramLabel = "AGE", defaultValue = "30",
      description = "User mode: the person's age (default: ${DEFAULT-VALUE}).")
  double from;

  @Option(names = "--to", paramLabel = "AGES", split = ",", defaultValue = "20,50,70,85",
      description = "User mode: target ages (default: ${DEFAULT-VALUE}).")
  List<Double> to;

  /**
   * Refuses values out of range and options of the other mode (user mode re-ages --input with
   * --model; the default mode trains), naming the option, before any work starts.
   */
  private void validate() {
    boolean user = model != null;
    String training = "in user mode (--model/--input re-age one image; nothing is trained)";
    String userOnly = "without --model and --input (the demo trains and re-ages its own faces)";
    OptionChecks c = OptionChecks.of(spec.commandLine());
    for (String opt : List.of("--steps", "--minutes", "--recipe", "--identities",
        "--val-identities", "--size", "--width", "--upsampling", "--batches-per-epoch",
        "--batch-identities", "--max-rotation", "--lr-g", "--detail-weight", "--seed")) {
      c.onlyWhen(opt, !user, training);
    }
    c.onlyWhen("--from", user, userOnly).onlyWhen("--to", user, userOnly);
    c.atLeast("--steps", steps, 1).positive("--minutes", minutes)
        .atLeast("--identities", identities, 2).atLeast("--val-identities", valIdentities, 1)
        .inRange("--size", size, 16, 1024).atLeast("--batches-per-epoch", batchesPerEpoch, 1)
        .inRange("--batch-identities", batchIdentities, 1, 64)
        .inRange("--max-rotation", maxRotation, 0, PairAugmentation.ROTATION_LIMIT_DEGREES)
        .age("--from", from);
    if (size % 16 != 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--size " + size + " must be a multiple of 16");
    }
    if (width < 2 || width > 1024 || width % 2 != 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--width " + width + " must be even in [2, 1024]");
    }
    if (lrG != null) {
      c.positive("--lr-g", lrG);
    }
    if (detailWeight != null) {
      c.nonNegative("--detail-weight", detailWeight);
    }
    for (double t : to) {
      c.age("--to", t);
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    validate();
    if ((model == null) != (input == null)) {
      err.println("--model and --input go together (user mode); give both or neither");
      return 2;
    }
    Files.createDirectories(out);
    if (model != null) {
      return reageUserImage(o);
    }
    // The demo prints its own line per epoch; the trainer's log would repeat each one, and its
    // LPIPS warning is about weights a demo never has. Set before the trainer's logger exists.
    String trainerLog = "org.slf4j.simpleLogger.log." + GanTrainer.class.getName();
    if (System.getProperty(trainerLog) == null) {
      System.setProperty(trainerLog, "error");
    }
    long t0 = System.nanoTime();
    Path data = out.resolve("data");
    Path runDir = out.resolve("run");
    if (Files.exists(runDir.resolve("checkpoints"))) {
      err.println(runDir + " already holds a training run; choose another --out or delete it");
      return 1;
    }

    o.printf("[1/5] Generating a synthetic aging dataset: %d + %d identities x 16 ages at %dx%d%n",
        identities, valIdentities, size, size);
    o.flush();
    SyntheticAgingDataset synth = SyntheticAgingDataset.builder()
        .optIdentities(identities + valIdentities).optSize(size).optSeed(seed).build();
    synth.writeSplit(data, valIdentities);

    UNetConfig unet = UNetConfig.builder().optBaseWidth(width).optUpsampling(upsampling)
        .optTrainingResolution(size).build();
    TrainingConfig.Builder cb = TrainingConfig.builder(data.resolve("train"), runDir)
        .optRecipe(recipe)
        .optValDir(data.resolve("val"))
        .optUNet(unet)
        .optDiscriminatorWidth(Math.max(8, width))
        .optEpochs((steps + batchesPerEpoch - 1) / batchesPerEpoch)
        .optBatchesPerEpoch(batchesPerEpoch)
        .optIdentitiesPerBatch(batchIdentities)
        .optMaxRotationDegrees(maxRotation)
        .optSeed(seed)
        .optProgressBar(true);
    if (lrG != null) {
      cb.optLrG(lrG);
    } else if (recipe == TrainingRecipe.REFERENCE) {
      cb.optLrG(5e-4); // the reference's 1e-4 shows nothing in a demo's minutes
    }
    if (detailWeight != null) {
      cb.optDetailWeight(detailWeight);
    }
    Duration budget = Duration.ofMillis((long) (minutes * 60_000));
    TrainingConfig cfg = cb.optTimeBudget(budget).build();
    o.printf("[2/5] Training a width-%d FRAN (%,d parameters) with the %s recipe: up to %,d "
        + "steps in %s (a slower machine takes fewer, its schedule following the clock)%n", width,
        unet.layout().trainableParameterCount(), recipe.name().toLowerCase(Locale.ROOT),
        cfg.options().epochs() * batchesPerEpoch, human(budget));
    o.flush();
    GanTrainer.Result result = train(cfg, budget, o);

    o.println("[3/5] Exporting the generator to ONNX");
    o.flush();
    StateDict weights = SafeTensors.read(runDir.resolve("model.safetensors"));
    Path onnx = out.resolve("model.onnx");
    OnnxExporter.export(weights, unet, onnx);

    o.println("[4/5] Reloading model.onnx through ReAger.load and re-aging held-out identities");
    o.flush();
    DemoReport report;
    try (ReAger reager = ReAger.load(onnx)) {
      o.println("      backend: " + reager.describe());
      report = DemoReport.evaluate(reager, data.resolve("val"), size);
    }

    o.println("[5/5] Writing the report");
    Path html = report.write(out, runDir, result, cfg, Duration.ofNanos(System.nanoTime() - t0));
    o.println();
    o.println(report.verdict());
    o.println(DemoReport.curveSentence(result.metrics()));
    o.println("Report: " + html.toAbsolutePath());
    return 0;
  }

  private GanTrainer.Result train(TrainingConfig cfg, Duration budget, PrintWriter o)
      throws IOException {
    try (GanTrainer trainer = GanTrainer.create(cfg, false)) {
      trainer.addListener(new TrainingListener() {
        private long deadline;

        @Override
        public void onTrainingBegin(GanTrainer t) {
          deadline = System.nanoTime() + budget.toNanos(); // where the trainer's budget starts
        }

        @Override
        public void onValidation(ValidationEvent e) {
          EpochMetrics m = e.metrics();
          long left = deadline - System.nanoTime();
          o.printf(Locale.ROOT,
              "      epoch %d (step %d): held-out L1 %.4f (identity %.4f), change captured "
                  + "%.0f%%; time left %s%n",
              m.epoch(), m.globalStep(), m.valL1(), m.identityL1(), 100 * m.changeCaptured(),
              human(Duration.ofNanos(Math.max(0, left))));
          o.flush();
        }
      });
      return trainer.fit();
    }
  }

  private int reageUserImage(PrintWriter o) throws IOException {
    BufferedImage img = ImageIO.read(input.toFile());
    if (img == null) {
      throw new IOException(input + " is not an image ImageIO can read (PNG, JPEG, BMP, GIF)");
    }
    double[] targets = to.stream().mapToDouble(Double::doubleValue).toArray();
    try (ReAger reager = ReAger.load(model)) {
      List<BufferedImage> aged = reager.sweep(img, from, targets);
      Path strip = out.resolve("reaged.png");
      Photos.write(DemoReport.strip(img, aged), strip);
      o.println("Re-aged " + input + " from " + from + " to " + to + " with " + reager.describe());
      o.println("Wrote " + strip.toAbsolutePath());
    }
    return 0;
  }

  static String human(Duration d) {
    long s = d.getSeconds();
    return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
