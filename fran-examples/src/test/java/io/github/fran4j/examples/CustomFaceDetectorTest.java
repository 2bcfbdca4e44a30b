package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.examples.CustomFaceDetector.SkinColourDetector;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustomFaceDetectorTest {
  @TempDir Path tmp;

  /** Blue-ish noise with a skin-coloured rectangle at (30, 20), 32 x 32. */
  private static BufferedImage photo(boolean withFace) {
    Random r = new Random(5);
    BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 96; x++) {
        boolean face = withFace && x >= 30 && x < 62 && y >= 20 && y < 52;
        int rgb = face
            ? (190 + r.nextInt(20)) << 16 | (140 + r.nextInt(20)) << 8 | (110 + r.nextInt(20))
            : (20 + r.nextInt(40)) << 16 | (60 + r.nextInt(40)) << 8 | (150 + r.nextInt(60));
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void skinRuleByHand() {
    assertThat(SkinColourDetector.isSkin(0xc8967a)).isTrue(); // (200, 150, 122)
    assertThat(SkinColourDetector.isSkin(0x3050c0)).isFalse(); // blue
    assertThat(SkinColourDetector.isSkin(0x808080)).isFalse(); // grey: R not > G
    assertThat(SkinColourDetector.isSkin(0x5a3020)).isFalse(); // R = 90, too dark
  }

  @Test
  void detectorFindsTheSkinBox() {
    List<Face> faces = new SkinColourDetector(64).detect(photo(true));
    assertThat(faces).hasSize(1);
    Face f = faces.get(0);
    assertThat(new double[] {f.x(), f.y(), f.width(), f.height(), f.score()})
        .containsExactly(30, 20, 32, 32, 1);
    assertThat(new SkinColourDetector(64).detect(photo(false))).isEmpty();
  }

  @Test
  void onlyTheDetectedFaceIsReaged() throws Exception {
    Path model = TinyModel.write(tmp);
    BufferedImage in = photo(true);
    Path input = TinyModel.writePng(in, tmp.resolve("photo.png"));
    Path output = tmp.resolve("older.png");

    CustomFaceDetector.main(new String[] {model.toString(), input.toString(), output.toString(),
        "30", "70"});

    BufferedImage out = TinyModel.read(output);
    int changedInside = 0;
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 96; x++) {
        boolean inside = x >= 30 && x < 62 && y >= 20 && y < 52;
        boolean changed = (out.getRGB(x, y) & 0xffffff) != (in.getRGB(x, y) & 0xffffff);
        if (!inside) {
          assertThat(changed).as("pixel (%s, %s) outside the face", x, y).isFalse();
        } else if (changed) {
          changedInside++;
        }
      }
    }
    assertThat(changedInside).isGreaterThan(32 * 32 / 4);
  }

  @Test
  void noSkinNoChange() throws Exception {
    Path model = TinyModel.write(tmp);
    BufferedImage in = photo(false);
    Path input = TinyModel.writePng(in, tmp.resolve("photo.png"));
    Path output = tmp.resolve("same.png");
    CustomFaceDetector.main(new String[] {model.toString(), input.toString(), output.toString(),
        "30", "70"});
    assertThat(TinyModel.differingPixels(TinyModel.read(output), in)).isZero();
  }
}
