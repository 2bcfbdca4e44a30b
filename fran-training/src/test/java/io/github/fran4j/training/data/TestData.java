package io.github.fran4j.training.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Writes small datasets whose every cell has a known solid colour. */
final class TestData {
  private TestData() {}

  /** The colour of cell (identity index, age index): R from identity, G from age, B fixed. */
  static int colour(int identity, int ageIndex) {
    return ((10 + 20 * identity) << 16) | ((15 + 30 * ageIndex) << 8) | 77;
  }

  static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  /** Writes ROOT/{age}/{id}.png for every identity and age, each a solid colour(i, a) square. */
  static Path grid(Path root, List<String> ids, List<Integer> ages, int size) throws IOException {
    for (int a = 0; a < ages.size(); a++) {
      Path dir = Files.createDirectories(root.resolve(Integer.toString(ages.get(a))));
      for (int i = 0; i < ids.size(); i++) {
        write(solid(size, size, colour(i, a)), dir.resolve(ids.get(i) + ".png"));
      }
    }
    return root;
  }

  static void write(BufferedImage img, Path file) throws IOException {
    String name = file.getFileName().toString();
    String fmt = name.endsWith(".png") ? "png" : "jpg";
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(img, fmt, file.toFile())) {
      throw new IOException("no writer for " + fmt);
    }
  }

  static int[] rgb(int p) {
    return new int[] {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
  }
}
