package io.github.fran4j.examples;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.training.trainer.GanTrainer;
import io.github.fran4j.training.trainer.TrainingConfig;
import java.nio.file.Path;

/**
 * Trains a FRAN on your own folder of aged faces ({@code DATA/<age>/<identity>.jpg}, every
 * identity at every age; {@code fran synth} makes one), then loads the trained generator with
 * {@link ReAger} and re-ages one of the training images.
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.TrainOnYourFolder
 * DATA RUN [SIZE WIDTH EPOCHS]}, e.g. {@code data/train runs/first 64 16 5}. The run directory
 * receives checkpoints, {@code metrics.csv}, charts, sample grids and {@code model.safetensors}
 * (PyTorch names, config in its metadata). {@code fran train} offers every option.
 */
public final class TrainOnYourFolder {
  private TrainOnYourFolder() {}

  /**
   * Runs the example.
   *
   * @param args data folder, run folder, and optionally size, width and epochs
   * @throws Exception if the data or the run folder cannot be used
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 5) {
      throw new IllegalArgumentException("usage: TrainOnYourFolder DATA RUN [SIZE WIDTH EPOCHS]");
    }
    int size = args.length == 5 ? Integer.parseInt(args[2]) : 64;
    int width = args.length == 5 ? Integer.parseInt(args[3]) : 16;
    int epochs = args.length == 5 ? Integer.parseInt(args[4]) : 5;
    // One UNetConfig describes the network for the trainer, the checkpoint and every runtime.
    UNetConfig unet = UNetConfig.builder().optBaseWidth(width).optTrainingResolution(size).build();
    TrainingConfig config = TrainingConfig.builder(Path.of(args[0]), Path.of(args[1]))
        .optUNet(unet)
        .optEpochs(epochs)
        .optProgressBar(false)
        .build();
    // The trainer holds native memory and loader threads: close it.
    try (GanTrainer trainer = GanTrainer.create(config, false)) {
      GanTrainer.Result result = trainer.fit();
      System.out.printf("trained %d epochs (%d steps)%n", result.epoch(), result.globalStep());
    }
    Path model = Path.of(args[1]).resolve("model.safetensors");
    try (ReAger reager = ReAger.load(model)) {
      System.out.println("the trained generator runs on " + reager.describe() + ": " + model);
    }
  }
}
