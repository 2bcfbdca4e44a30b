package io.github.fran4j.examples;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** A width-4, depth-2 U-Net with random weights and small test images, for the example tests. */
public final class TinyModel {
  /** The model's configuration. */
  public static final UNetConfig CONFIG = UNetConfig.builder()
      .optBaseWidth(4).optDepth(2).optTrainingResolution(32).build();

  private TinyModel() {}

  /** {@return the model's seeded random weights} */
  public static StateDict weights() {
    return RandomUNetWeights.create(CONFIG, 7);
  }

  /** Writes the tiny model as {@code tiny.safetensors} in {@code dir}. */
  public static Path write(Path dir) throws IOException {
    Path file = dir.resolve("tiny.safetensors");
    SafeTensors.write(weights(), file);
    return file;
  }

  /** A smooth colourful RGB image (gradients plus a little seeded noise). */
  public static BufferedImage image(int w, int h, long seed) {
    Random r = new Random(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int red = Math.min(255, 40 + 200 * x / w + r.nextInt(8));
        int green = Math.min(255, 30 + 180 * y / h + r.nextInt(8));
        int blue = Math.min(255, 60 + r.nextInt(120));
        img.setRGB(x, y, red << 16 | green << 8 | blue);
      }
    }
    return img;
  }

  static Path writePng(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  static BufferedImage read(Path file) throws IOException {
    BufferedImage img = ImageIO.read(file.toFile());
    if (img == null) {
      throw new IOException("cannot decode " + file);
    }
    return img;
  }

  /** Counts pixels whose RGB differs. */
  static int differingPixels(BufferedImage a, BufferedImage b) {
    int n = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }
}
