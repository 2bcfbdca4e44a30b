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
 * {@code validation.png} and {@code psnr.png} (validation L1 and PSNR against the identity
 * baseline) and {@code change.png} (change captured per target-age band, delta correlation). Runs
 * headless.
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

    XYChart change = chart("Change captured on held-out pairs (1 = all, 0 = identity baseline)",
        "change captured");
    add(change, rows, "all target ages", EpochMetrics::changeCaptured);
    add(change, rows, "target < 30", EpochMetrics::changeYoung);
    add(change, rows, "target 30-59", EpochMetrics::changeMiddle);
    add(change, rows, "target >= 60", EpochMetrics::changeOld);
    add(change, rows, "delta correlation", EpochMetrics::deltaCorrelation);
    if (!change.getSeriesMap().isEmpty()) {
      save(change, dir.resolve("change.png"));
    }
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart c = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch")
        .yAxisTitle(yTitle).build();
    c.getStyler().setMarkerSize(5);
    return c;
  }

  private static void add(XYChart c, List<EpochMetrics> rows, String name,
      ToDoubleFunction<EpochMetrics> f) {
    // Non-finite points (LPIPS off, D before the adversarial warm-up ends) are left out; a
    // series without any point is left out altogether rather than failing the chart.
    List<EpochMetrics> finite = rows.stream().filter(r -> Double.isFinite(f.applyAsDouble(r)))
        .toList();
    if (finite.isEmpty()) {
      return;
    }
    double[] x = finite.stream().mapToDouble(EpochMetrics::epoch).toArray();
    double[] y = finite.stream().mapToDouble(f).toArray();
    c.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }

  private static void save(XYChart c, Path file) throws IOException {
    BufferedImage img = BitmapEncoder.getBufferedImage(c);
    Photos.write(img, file);
  }
}
