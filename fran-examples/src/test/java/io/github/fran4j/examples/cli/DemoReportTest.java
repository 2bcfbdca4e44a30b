package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The contact sheet's change heat maps, against hand-computed colours. */
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
  void contactSheetShowsTheModelsAndTheTrueChangeInTheirOwnRows() {
    BufferedImage input = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB); // black
    BufferedImage white = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        white.setRGB(x, y, 0xFFFFFF);
      }
    }
    int n = DemoReport.SHEET_TO.length;
    BufferedImage[] row = new BufferedImage[1 + 2 * n];
    row[0] = input;
    for (int c = 0; c < n; c++) {
      row[1 + c] = input; // the model changes nothing
      row[1 + n + c] = white; // the truth changes everything
    }
    BufferedImage sheet = DemoReport.contactSheet(java.util.List.of(row, row));
    assertThat(sheet.getHeight()).isEqualTo(28 + 2 * DemoReport.ROWS * 128);
    int x = 70 + 128 + 64; // the first target's column, mid-cell
    int modelHeat = 28 + 2 * 128 + 64;
    int trueHeat = 28 + 3 * 128 + 64;
    assertThat(sheet.getRGB(x, modelHeat) & 0xFFFFFF).isEqualTo(0x000000);
    assertThat(sheet.getRGB(x, trueHeat) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(sheet.getRGB(x, 28 + DemoReport.ROWS * 128 + 3 * 128 + 64) & 0xFFFFFF)
        .as("second identity's true change").isEqualTo(0xFFFFFF);
  }

  private static io.github.fran4j.training.trainer.EpochMetrics epoch(int n, double seconds,
      double valL1) {
    double nan = Double.NaN;
    return new io.github.fran4j.training.trainer.EpochMetrics(n, 40L * n, 1e-3, 1e-4, nan, nan,
        nan, nan, nan, nan, nan, valL1, nan, 0.05, nan, seconds, nan, nan, nan, nan, nan);
  }

  @Test
  void curveAboveTheBaselineCountsOnlyAfterTheFirstMinute() {
    var epochs = java.util.List.of(epoch(1, 30, 0.07), epoch(2, 30, 0.06), epoch(3, 30, 0.04),
        epoch(4, 30, 0.051), epoch(5, 30, 0.03));
    // Epochs 1 and 2 end at 30 s and 60 s: inside the first minute, not counted.
    assertThat(DemoReport.epochsAboveBaseline(epochs, 60)).containsExactly(4);
    assertThat(DemoReport.curveSentence(epochs)).contains("1 of 3 validations").contains("[4]");
    assertThat(DemoReport.curveSentence(java.util.List.of(epoch(1, 30, 0.07), epoch(2, 40, 0.04))))
        .contains("stayed below").contains("all 1 validations");
  }

  @Test
  void heatRunsThroughRedAndYellow() {
    assertThat(DemoReport.heat(1f / 3)).isEqualTo(0xFF0000);
    assertThat(DemoReport.heat(2f / 3)).isEqualTo(0xFFFF00);
    assertThat(DemoReport.heat(-1f)).isEqualTo(0);
    assertThat(DemoReport.heat(0.5f)).isEqualTo(0xFF7F00);
  }
}
