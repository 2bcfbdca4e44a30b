package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationImagesTest {
  @TempDir Path tmp;

  @Test
  void everyTargetAgeIsCalibratedOncePerRoundAndInputAgesComeFromFolders() throws Exception {
    for (int age : new int[] {20, 60}) {
      Path dir = Files.createDirectories(tmp.resolve("train").resolve(Integer.toString(age)));
      for (int i = 0; i < 16; i++) {
        writeImage(dir.resolve(String.format("%03d.png", i)), i);
      }
    }
    List<Tensor> inputs = CalibrationImages.load(tmp, 8, 32, 3);
    assertThat(inputs).hasSize(32);
    for (int round = 0; round < 2; round++) {
      List<Integer> targets = new ArrayList<>();
      for (Tensor t : inputs.subList(round * 16, round * 16 + 16)) {
        float[] v = t.toFloatArray();
        targets.add(Math.round(v[4 * 64] * 100));
      }
      assertThat(targets).as("round %s", round).containsExactlyInAnyOrder(
          10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85);
    }
    // Sorted paths: the first half comes from folder 20, the second from folder 60.
    assertThat(inputs.get(0).toFloatArray()[3 * 64]).isEqualTo(0.20f);
    assertThat(inputs.get(31).toFloatArray()[3 * 64]).isEqualTo(0.60f);
  }

  @Test
  void pixelsAreScaledToUnitRange() {
    BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 0, 0xff8000);
    // Centre square of a 4x2 image: columns 1..2.
    Tensor t = CalibrationImages.toInput(img, 2, 30, 70);
    float[] v = t.toFloatArray();
    assertThat(t.shape()).containsExactly(1, 5, 2, 2);
    assertThat(v[0]).isEqualTo(1f);
    assertThat(v[4]).isEqualTo(128 / 255f);
    assertThat(v[8]).isEqualTo(0f);
    assertThat(v[12]).isEqualTo(0.3f);
    assertThat(v[16]).isEqualTo(0.7f);
  }

  @Test
  void missingOrEmptyFoldersFailClearly() throws IOException {
    assertThatThrownBy(() -> CalibrationImages.load(tmp.resolve("nope"), 8, 4, 1))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("calibration folder does not exist");
    Files.writeString(tmp.resolve("notes.txt"), "no images");
    assertThatThrownBy(() -> CalibrationImages.load(tmp, 8, 4, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no .jpg, .jpeg or .png images under calibration folder");
    Files.write(tmp.resolve("broken.png"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> CalibrationImages.load(tmp, 8, 4, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot decode calibration image")
        .hasMessageContaining("broken.png");
  }

  private static void writeImage(Path p, int seed) throws IOException {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        img.setRGB(x, y, (seed * 37 + x * 11 + y * 5) * 0x010203 & 0xffffff);
      }
    }
    ImageIO.write(img, "png", p.toFile());
  }
}
