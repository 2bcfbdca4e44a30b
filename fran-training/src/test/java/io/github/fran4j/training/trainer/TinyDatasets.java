package io.github.fran4j.training.trainer;

import io.github.fran4j.core.model.UNetConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes tiny procedural aging datasets for tests: each identity is a smooth colour pattern; age
 * darkens it and adds horizontal "wrinkle" stripes whose contrast grows with age, so the mapping
 * (image, age A, age B) -&gt; image at B is learnable and differs from the identity.
 */
final class TinyDatasets {
  private TinyDatasets() {}

  /**
   * A trainer configuration sized for these datasets: a width-4, depth-2 U-Net at 32x32, two
   * identities a batch, three batches an epoch, no loader threads, no samples, no progress bar.
   */
  static TrainingConfig.Builder config(Path data, Path run) {
    return TrainingConfig.builder(data, run)
        .optUNet(UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(32).build())
        .optDiscriminatorWidth(4)
        .optIdentitiesPerBatch(2)
        .optBatchesPerEpoch(3)
        .optWorkers(0)
        .optSampleCount(0)
        .optProgressBar(false);
  }

  static Path write(Path root, int identities, int[] ages, int size, long seed) throws IOException {
    Random r = new Random(seed);
    for (int id = 0; id < identities; id++) {
      float[] base = {0.3f + 0.5f * r.nextFloat(), 0.3f + 0.5f * r.nextFloat(),
          0.3f + 0.5f * r.nextFloat()};
      float fx = 1 + r.nextInt(3);
      float fy = 1 + r.nextInt(3);
      for (int age : ages) {
        Path dir = root.resolve(Integer.toString(age));
        Files.createDirectories(dir);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        float t = (age - 10) / 80f;
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            double pattern = 0.1 * Math.sin(fx * x * 2 * Math.PI / size)
                * Math.cos(fy * y * 2 * Math.PI / size);
            double stripes = (y % 4 < 2 ? 1 : -1) * 0.12 * t;
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
              double v = base[c] * (1 - 0.35 * t) + pattern + stripes;
              int b = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
              rgb = (rgb << 8) | b;
            }
            img.setRGB(x, y, rgb);
          }
        }
        ImageIO.write(img, "png", dir.resolve(String.format("%04d.png", id)).toFile());
      }
    }
    return root;
  }
}
