package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The contact sheet's change heat map, against hand-computed colours. */
class DemoReportTest {
  @Test
  void heatMapIsBlackWithoutChangeAndWhiteAtFullScale() {
    BufferedImage a = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    BufferedImage b = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    a.setRGB(0, 0, 0x404040);
    b.setRGB(0, 0, 0x404040); // no change
    a.setRGB(1, 0, 0x000000);
    b.setRGB(1, 0, 0x808080); // mean |change| 128/255 = 0.50 >= full scale 0.25
    BufferedImage h = DemoReport.heatMap(a, b);
    assertThat(h.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0x000000);
    assertThat(h.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0xFFFFFF);
  }

  @Test
  void heatRunsThroughRedAndYellow() {
    assertThat(DemoReport.heat(1f / 3)).isEqualTo(0xFF0000);
    assertThat(DemoReport.heat(2f / 3)).isEqualTo(0xFFFF00);
    assertThat(DemoReport.heat(-1f)).isEqualTo(0);
    assertThat(DemoReport.heat(0.5f)).isEqualTo(0xFF7F00);
  }
}
