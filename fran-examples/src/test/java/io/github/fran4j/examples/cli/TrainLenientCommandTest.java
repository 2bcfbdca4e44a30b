package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fran train} with an unreadable image: refused before the first step naming the file, or
 * skipped with {@code --lenient}, saying so on stderr. Before, the run failed when it met the image
 * and its message suggested a lenient mode that {@code fran train} did not offer.
 */
class TrainLenientCommandTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path datasetWithATruncatedImage() throws Exception {
    Path root = tmp.resolve("data");
    for (int age : new int[] {20, 60}) {
      Files.createDirectories(root.resolve(Integer.toString(age)));
      for (int id = 0; id < 3; id++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            img.setRGB(x, y, ((x * 8) << 16) | ((y * 8) << 8) | (age + id * 50));
          }
        }
        ImageIO.write(img, "png", root.resolve(age + "/" + id + ".png").toFile());
      }
    }
    Path bad = root.resolve("60/1.png");
    byte[] b = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(b, b.length / 3));
    return root;
  }

  @Test
  void unreadableImageIsRefusedByNameOrSkippedWithLenient() throws Exception {
    Path data = datasetWithATruncatedImage();
    Path out = tmp.resolve("run");
    String[] common = {"train", "--data", data.toString(), "--out", out.toString(), "--size", "32",
        "--width", "4", "--d-width", "2", "--batch-identities", "1", "--epochs", "1",
        "--batches-per-epoch", "2", "--workers", "0", "--no-progress"};
    CliRun strict = run(common);
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.err()).startsWith("fran train: the dataset has 1 unreadable image: ")
        .contains(data.resolve("60/1.png").toString())
        .contains("--lenient")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();

    String[] lenient = java.util.Arrays.copyOf(common, common.length + 1);
    lenient[common.length] = "--lenient";
    CliRun ok = run(lenient);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.err()).contains("fran train: --lenient: skipping 1 unreadable image: ")
        .contains("1.png");
    assertThat(ok.out()).contains("COMPLETED after 2 steps");
    assertThat(Files.readString(out.resolve("run.json"))).contains("\"skipped_images\": 1");
    assertThat(out.resolve("losses.csv")).isNotEmptyFile();
  }
}
