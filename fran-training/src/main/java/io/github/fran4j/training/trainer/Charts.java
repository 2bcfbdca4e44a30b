package io.github.fran4j.training.trainer;

import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the run's PNG charts with XChart: {@code losses.png} (train and validation G and D losses)
 * and {@code validation.png} (validation L1 and PSNR against the identity baseline). Runs headless.
 * Thread-safe (stateless).
 */
public final class Charts {
  private Charts() {}

  /**
   * Writes both charts into a folder.
   *
   * @param rows the epochs so far (at least one)
   * @param dir the run directory
   * @throws IOException if a file cannot be written
   */
  public static void write(List<EpochMetrics> rows, Path dir) throws IOException {
    if (rows.isEmpty()) {
      return;
    }
    XYChart losses = chart("Losses", "loss");
    add(losses, rows, "train G", EpochMetrics::trainG);
    add(losses, rows, "val G", EpochMetrics::valG);
    add(losses, rows, "train D", EpochMetrics::trainD);
    add(losses, rows, "val D", EpochMetrics::valD);
    save(losses, dir.resolve("losses.png"));

    XYChart val = chart("Validation L1 (model vs identity baseline)", "L1");
    add(val, rows, "model L1", EpochMetrics::valL1);
    add(val, rows, "identity L1", EpochMetrics::identityL1);
    save(val, dir.resolve("validation.png"));

    XYChart psnr = chart("Validation PSNR (model vs identity baseline)", "dB");
    add(psnr, rows, "model PSNR", EpochMetrics::valPsnr);
    add(psnr, rows, "identity PSNR", EpochMetrics::identityPsnr);
    save(psnr, dir.resolve("psnr.png"));
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch")
        .yAxisTitle(yTitle).build();
    c.getStyler().setMarkerSize(5);
    return c;
  }

  private static void add(XYChart c, List<EpochMetrics> rows, String name,
      ToDoubleFunction<EpochMetrics> f) {
    double[] x = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
    double[] y = rows.stream().mapToDouble(f).toArray();
    for (double v : y) {
      if (!Double.isFinite(v)) {
        return; // e.g. LPIPS off: skip a series rather than fail the chart
      }
    }
    c.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }

  private static void save(XYChart c, Path file) throws IOException {
    BufferedImage img = BitmapEncoder.getBufferedImage(c);
    Photos.write(img, file);
  }
}
