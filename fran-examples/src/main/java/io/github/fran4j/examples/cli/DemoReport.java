package io.github.fran4j.examples.cli;

import com.google.common.html.HtmlEscapers;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.trainer.EpochMetrics;
import io.github.fran4j.training.trainer.GanTrainer;
import io.github.fran4j.training.trainer.TrainingConfig;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's evaluation and report: re-ages held-out identities from several input ages to several
 * target ages, measures L1 and PSNR against the ground truth beside the identity baseline (output =
 * input), and writes a contact sheet, {@code metrics.json} and {@code report.html}.
 */
final class DemoReport {
  /** Ages the evaluation starts from and aims at (a subset of the synthetic ages). */
  static final int[] EVAL_AGES = {15, 30, 45, 60, 75};
  /**
   * The input age of the contact sheet, and its targets: all taken from {@link #EVAL_AGES}, so the
   * sheet reuses the evaluation's predictions instead of running the model again.
   */
  static final int SHEET_FROM = 30;
  static final int[] SHEET_TO = {15, 45, 60, 75};
  private static final int SHEET_IDENTITIES = 4;
  private static final int CELL = 128;

  private final double modelL1;
  private final double identityL1;
  private final double modelPsnr;
  private final double identityPsnr;
  private final int pairs;
  private final BufferedImage sheet;
  private final String backend;

  private DemoReport(double modelL1, double identityL1, double modelPsnr, double identityPsnr,
      int pairs, BufferedImage sheet, String backend) {
    this.modelL1 = modelL1;
    this.identityL1 = identityL1;
    this.modelPsnr = modelPsnr;
    this.identityPsnr = identityPsnr;
    this.pairs = pairs;
    this.sheet = sheet;
    this.backend = backend;
  }

  double modelL1() {
    return modelL1;
  }

  double identityL1() {
    return identityL1;
  }

  /**
   * Re-ages every held-out identity from each of {@link #EVAL_AGES} to each other one.
   *
   * @param reager the exported model, reloaded
   * @param valDir the held-out split
   * @param size the image size
   * @return the measurements and the contact sheet
   */
  static DemoReport evaluate(ReAger reager, Path valDir, int size)
      throws IOException {
    AgeDataset val = AgeDataset.builder(valDir).optResolution(size).build();
    double sumModel = 0;
    double sumIdentity = 0;
    double mseModel = 0;
    double mseIdentity = 0;
    int pairs = 0;
    int sheetRows = Math.min(SHEET_IDENTITIES, val.identityCount());
    List<BufferedImage[]> sheetCells = new ArrayList<>();
    for (int id = 0; id < val.identityCount(); id++) {
      // Decode each of the identity's evaluation images once.
      Map<Integer, BufferedImage> images = new LinkedHashMap<>();
      Map<Integer, float[]> planes = new LinkedHashMap<>();
      for (int age : EVAL_AGES) {
        int index = val.ages().indexOf(age);
        if (index >= 0) {
          BufferedImage img = val.image(id, index);
          images.put(age, img);
          planes.put(age, PlanarImage.fromBufferedImage(img).rgb());
        }
      }
      for (int a : images.keySet()) {
        List<Integer> targets = new ArrayList<>(images.keySet());
        targets.remove(Integer.valueOf(a));
        List<BufferedImage> predicted = reager.sweep(images.get(a), a,
            targets.stream().mapToDouble(Integer::doubleValue).toArray());
        for (int t = 0; t < targets.size(); t++) {
          float[] truth = planes.get(targets.get(t));
          double[] m = errors(PlanarImage.fromBufferedImage(predicted.get(t)).rgb(), truth);
          double[] i = errors(planes.get(a), truth);
          sumModel += m[0];
          mseModel += m[1];
          sumIdentity += i[0];
          mseIdentity += i[1];
          pairs++;
        }
        if (a == SHEET_FROM && id < sheetRows) {
          sheetCells.add(sheetRow(images, targets, predicted));
        }
      }
    }
    return new DemoReport(sumModel / pairs, sumIdentity / pairs, psnr(mseModel / pairs),
        psnr(mseIdentity / pairs), pairs, contactSheet(sheetCells), reager.describe());
  }

  /**
   * Returns one identity's contact-sheet cells: the input, the predictions at {@link #SHEET_TO},
   * then the ground truth at the same ages.
   */
  private static BufferedImage[] sheetRow(Map<Integer, BufferedImage> images,
      List<Integer> targets, List<BufferedImage> predicted) {
    BufferedImage[] row = new BufferedImage[1 + 2 * SHEET_TO.length];
    row[0] = images.get(SHEET_FROM);
    for (int c = 0; c < SHEET_TO.length; c++) {
      row[1 + c] = predicted.get(targets.indexOf(SHEET_TO[c]));
      row[1 + SHEET_TO.length + c] = images.get(SHEET_TO[c]);
    }
    return row;
  }

  /** Returns {mean absolute error, mean squared error} over all values. */
  private static double[] errors(float[] a, float[] b) {
    double abs = 0;
    double sq = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      abs += Math.abs(d);
      sq += d * d;
    }
    return new double[] {abs / a.length, sq / a.length};
  }

  private static double psnr(double mse) {
    return 10 * Math.log10(1 / Math.max(mse, 1e-12));
  }

  private static BufferedImage contactSheet(List<BufferedImage[]> rows) {
    int cols = 1 + SHEET_TO.length;
    int header = 28;
    int label = 70;
    BufferedImage out = new BufferedImage(label + cols * CELL, header + 2 * rows.size() * CELL,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("input " + SHEET_FROM, label + 8, 19);
    for (int c = 0; c < SHEET_TO.length; c++) {
      g.drawString("age " + SHEET_TO[c], label + (c + 1) * CELL + 8, 19);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int r = 0; r < rows.size(); r++) {
      BufferedImage[] row = rows.get(r);
      int yModel = header + 2 * r * CELL;
      int yTruth = yModel + CELL;
      g.drawString("re-aged", 6, yModel + CELL / 2);
      g.drawString("truth", 6, yTruth + CELL / 2);
      g.drawImage(row[0], label, yModel, CELL, CELL, null);
      g.drawImage(row[0], label, yTruth, CELL, CELL, null);
      for (int c = 0; c < SHEET_TO.length; c++) {
        int x = label + (c + 1) * CELL;
        g.drawImage(row[1 + c], x, yModel, CELL, CELL, null);
        g.drawImage(row[1 + SHEET_TO.length + c], x, yTruth, CELL, CELL, null);
      }
    }
    g.dispose();
    return out;
  }

  /**
   * Lays images side by side at their own size.
   *
   * @param first the leftmost image
   * @param rest the others
   * @return the strip
   */
  static BufferedImage strip(BufferedImage first, List<BufferedImage> rest) {
    int w = first.getWidth();
    int h = first.getHeight();
    BufferedImage out = new BufferedImage(w * (1 + rest.size()), h, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(first, 0, 0, null);
    for (int i = 0; i < rest.size(); i++) {
      g.drawImage(rest.get(i), w * (i + 1), 0, null);
    }
    g.dispose();
    return out;
  }

  /**
   * Writes {@code contact-sheet.png}, {@code metrics.json} and {@code report.html} into the demo
   * folder.
   *
   * @return the report's path
   */
  Path write(Path out, Path runDir, GanTrainer.Result result, TrainingConfig cfg, Duration total)
      throws IOException {
    Photos.write(sheet, out.resolve("contact-sheet.png"));
    List<EpochMetrics> epochs = result.metrics();
    String json = String.format(Locale.ROOT,
        "{%n  \"heldOutPairs\": %d,%n  \"model\": {\"l1\": %.6f, \"psnr\": %.3f},%n"
            + "  \"identityBaseline\": {\"l1\": %.6f, \"psnr\": %.3f},%n  \"epochs\": %d,%n"
            + "  \"steps\": %d,%n  \"backend\": \"%s\",%n  \"seconds\": %d%n}%n",
        pairs, modelL1, modelPsnr, identityL1, identityPsnr, epochs.size(), result.globalStep(),
        backend, total.getSeconds());
    AtomicFiles.writeString(out.resolve("metrics.json"), json);

    String rel = out.toAbsolutePath().relativize(runDir.toAbsolutePath()).toString()
        .replace('\\', '/');
    StringBuilder rows = new StringBuilder();
    for (EpochMetrics m : epochs) {
      rows.append(String.format(Locale.ROOT,
          "<tr><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td>"
              + "<td>%.2f</td><td>%.2f</td></tr>%n",
          m.epoch(), m.globalStep(), m.trainG(), m.trainD(), m.valL1(), m.identityL1(),
          m.valPsnr(), m.identityPsnr()));
    }
    String verdict = modelL1 < identityL1
        ? "The model beats the identity baseline on held-out identities."
        : "The model does not yet beat the identity baseline: train longer (--minutes).";
    String html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>FRAN for Java demo</title>
        <style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        img{max-width:100%%;border:1px solid #ddd}</style></head><body>
        <h1>FRAN for Java demo</h1>
        <p>Synthetic aging data, a width-%d FRAN trained %d epochs (%d steps) with the GAN trainer in
        %s, exported to ONNX and reloaded through <code>ReAger.load</code> (%s).</p>
        <h2>Held-out identities</h2>
        <p>%d re-aging pairs between ages %s.</p>
        <table><tr><th></th><th>L1</th><th>PSNR (dB)</th></tr>
        <tr><td>model</td><td>%.4f</td><td>%.2f</td></tr>
        <tr><td>identity baseline (output = input)</td><td>%.4f</td><td>%.2f</td></tr></table>
        <p><b>%s</b></p>
        <h2>Contact sheet</h2>
        <p>Each identity: the input at %d re-aged to %s (top) and the ground truth (bottom).</p>
        <img src="contact-sheet.png" alt="contact sheet">
        <h2>Training</h2>
        <img src="%s/losses.png" alt="losses"> <img src="%s/validation.png" alt="validation">
        <table><tr><th>epoch</th><th>step</th><th>train G</th><th>train D</th><th>val L1</th>
        <th>identity L1</th><th>val PSNR</th><th>identity PSNR</th></tr>
        %s</table>
        <h2>Files</h2>
        <ul><li><a href="model.onnx">model.onnx</a> (the deployed model)</li>
        <li><a href="%s/model.safetensors">model.safetensors</a> (PyTorch names, config in metadata)</li>
        <li><a href="%s/metrics.csv">metrics.csv</a>, <a href="metrics.json">metrics.json</a></li>
        <li><a href="%s/samples/">samples</a> (input | target | prediction per epoch)</li></ul>
        </body></html>
        """.formatted(cfg.unet().baseWidth(), epochs.size(), result.globalStep(),
            DemoCommand.human(total), esc(backend), pairs, java.util.Arrays.toString(EVAL_AGES),
            modelL1, modelPsnr, identityL1, identityPsnr, verdict, SHEET_FROM,
            java.util.Arrays.toString(SHEET_TO), rel, rel, rows, rel, rel, rel);
    Path report = out.resolve("report.html");
    AtomicFiles.writeString(report, html);
    return report;
  }

  private static String esc(String s) {
    return HtmlEscapers.htmlEscaper().escape(s);
  }
}
