package io.github.fran4j.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AgeMapTest {

  @Property(tries = 50)
  void constantMapsRenderConstantPlanes(
      @ForAll @DoubleRange(min = 0, max = 150) double age,
      @ForAll @IntRange(min = 1, max = 20) int w,
      @ForAll @IntRange(min = 1, max = 20) int h) {
    float[] plane = AgeMap.constant(age).render(w, h);
    assertThat(plane).hasSize(w * h).containsOnly((float) age);
  }

  @Test
  void invalidAgesAreRejectedWithTheValue() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1, 150.5}) {
      assertThatThrownBy(() -> AgeMap.constant(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[0, 150]")
          .hasMessageContaining(String.valueOf(bad));
    }
    assertThatThrownBy(() -> AgeMap.perPixel(new float[] {20, Float.NaN}, 2, 1))
        .hasMessageContaining("pixel (1, 0)");
    assertThatThrownBy(() -> AgeMap.perPixel(new float[3], 2, 2))
        .hasMessageContaining("needs 4 values, got 3");
  }

  @Test
  void greyLevelIsAgeInYears() {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 25);
    grey.getRaster().setSample(1, 0, 0, 80);
    assertThat(AgeMap.fromGrey(grey).render(2, 1)[0]).isCloseTo(25f, within(1e-3f));
    assertThat(AgeMap.fromGrey(grey).render(2, 1)[1]).isCloseTo(80f, within(1e-3f));
    assertThat(AgeMap.fromGrey(grey, 20, 70).render(2, 1)[1])
        .isCloseTo(20 + 80 / 255f * 50, within(1e-3f));
  }

  @Test
  void greyLevelsAbove150AreRejected() {
    BufferedImage grey = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 200);
    assertThatThrownBy(() -> AgeMap.fromGrey(grey)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hardMaskGivesInsideAndOutsideAges() {
    float[] mask = {0, 1, 1, 0};
    float[] ages = AgeMap.masked(mask, 4, 1, 70, 30, 0).render(4, 1);
    assertThat(ages).containsExactly(30, 70, 70, 30);
  }

  @Test
  void featheredMaskIsMonotoneAcrossTheEdgeAndSymmetric() {
    int w = 41;
    float[] mask = new float[w];
    for (int x = 20; x < w; x++) {
      mask[x] = 1;
    }
    float[] ages = AgeMap.masked(mask, w, 1, 80, 20, 8).render(w, 1);
    assertThat(ages[0]).isCloseTo(20f, within(1e-3f));
    assertThat(ages[w - 1]).isCloseTo(80f, within(1e-3f));
    for (int x = 1; x < w; x++) {
      assertThat(ages[x]).isGreaterThanOrEqualTo(ages[x - 1] - 1e-5f);
    }
    // The edge lies between pixels 19 and 20: both sides average to the midpoint.
    assertThat((ages[19] + ages[20]) / 2).isCloseTo(50f, within(1e-3f));
    // A Gaussian with sigma 2 leaves about 31% of the step one pixel inside the edge.
    assertThat(ages[20]).isBetween(55f, 65f);
  }

  @Test
  void perPixelMapsResampleBilinearly() {
    AgeMap map = AgeMap.perPixel(new float[] {10, 30}, 2, 1);
    float[] up = map.render(4, 1);
    // Pixel centres of the 4-wide render map to source x = -0.25, 0.25, 0.75, 1.25.
    assertThat(up).containsExactly(10f, 15f, 25f, 30f);
    assertThat(map.render(2, 1)).containsExactly(10f, 30f);
  }
}
