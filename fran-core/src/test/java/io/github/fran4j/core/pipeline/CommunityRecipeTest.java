package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.core.testing.Fixtures;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The community inference recipe: its crop geometry, its windows and its delta-only paste. */
class CommunityRecipeTest {

  @Test
  void cropHasTheCommunityMarginsWidenedToASquare() {
    // Box x 100, y 200, 80 x 100. Sides: 80 / (2 / 0.85) = 34 each, so x in [66, 214] (148 wide);
    // top 0.63 * 0.85 * 100 = 53.55, bottom 0.37 * 0.85 * 100 = 31.45, so y in [146.45, 331.45]
    // (185 high). The square is 185 around the centre (140, 238.95): x0 = 47.5, y0 = 146.45.
    FaceCrop c = CommunityRecipe.create().crop(Face.of(100, 200, 80, 100, 1));
    assertThat(c.size()).isEqualTo(1024);
    assertThat(c.cropToFrame().scale()).isCloseTo(185.0 / 1024, within(1e-12));
    assertThat(c.cropToFrame().tx()).isCloseTo(47.5, within(1e-9));
    assertThat(c.cropToFrame().ty()).isCloseTo(146.45, within(1e-9));
    assertThat(c.sideInFrame()).isCloseTo(185, within(1e-9));
  }

  @Test
  void windowsCoverTheWorkSizeAndOnlyTheCropChanges() {
    BufferedImage frame = WorkingImages.toWorking(Fixtures.randomRgbImage(120, 100, 7));
    BufferedImage before = WorkingImages.toWorking(Fixtures.randomRgbImage(120, 100, 7));
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(new float[] {0.1f, -0.1f, 0.05f}, false,
        16, 32);
    CommunityRecipe recipe = CommunityRecipe.create(64, 32, 16);
    Face face = Face.of(40, 30, 30, 36, 1);
    long touched = recipe.apply(g, frame, face, 30, 70);
    // 64 at windows of 32 every 16: 3 x 3 windows, each 32 x 32.
    assertThat(g.calls).hasSize(9).allMatch(s -> s[2] == 32 && s[3] == 32);
    int[] b = recipe.crop(face).frameBounds(120, 100);
    assertThat(touched).isPositive();
    int changed = 0;
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 120; x++) {
        boolean inside = x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
        if (!inside) {
          assertThat(frame.getRGB(x, y)).as("(%s, %s)", x, y).isEqualTo(before.getRGB(x, y));
        } else if (frame.getRGB(x, y) != before.getRGB(x, y)) {
          changed++;
        }
      }
    }
    // A constant delta of +0.1 red changes nearly every pixel inside (all but saturated ones).
    assertThat(changed).isGreaterThan((b[2] - b[0]) * (b[3] - b[1]) * 3 / 4);
  }
}
