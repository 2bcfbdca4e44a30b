package io.github.fran4j.core.image;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** 65536 x 65537 overflows an int to 65536: a 65536-value array was accepted as that map. */
class AgeMapOverflowTest {
  @Test
  void perPixelSizeIsCheckedWithoutIntOverflow() {
    assertThatThrownBy(() -> AgeMap.perPixel(new float[65536], 65536, 65537))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 4295032832 values, got 65536");
  }

  @Test
  void maskedSizeIsCheckedWithoutIntOverflow() {
    assertThatThrownBy(() -> AgeMap.masked(new float[65536], 65536, 65537, 30, 60, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs 4295032832 values, got 65536");
  }
}
