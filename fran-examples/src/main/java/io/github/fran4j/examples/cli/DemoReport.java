package io.github.fran4j.examples.cli;

import com.google.common.html.HtmlEscapers;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.metrics.ReAgingMetrics;
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
 * target ages, measures them with {@link ReAgingMetrics} (L1 and PSNR beside the identity
 * baseline, change captured per target-age band, delta correlation), and writes a contact sheet
 * (input, re-aged, truth, and heat maps of the model's and the true per-pixel change on one
 * scale), an age sweep of one
 * held-out identity, {@code metrics.json} and {@code report.html}.
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
  private static final int SHEET_IDENTITIES = 3;
  private static final int CELL = 128;
  private static final int SWEEP_CELL = 96;
  /** Mean absolute RGB change drawn at full heat in the heat-map row. */
  static final float HEAT_FULL_SCALE = 0.25f;

  private final ReAgingMetrics metrics;
  private final BufferedImage sheet;
  private final BufferedImage sweep;
  private final String backend;

  private DemoReport(ReAgingMetrics metrics, BufferedImage sheet, BufferedImage sweep,
      String backend) {
    this.metrics = metrics;
    this.sheet = sheet;
    this.sweep = sweep;
    this.backend = backend;
  }

  /** Returns the held-out figures over every evaluated pair. */
  ReAgingMetrics.Summary overall() {
    return metrics.overall();
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
    ReAgingMetrics metrics = new ReAgingMetrics();
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
          metrics.add(planes.get(a), planes.get(targets.get(t)),
              PlanarImage.fromBufferedImage(predicted.get(t)).rgb(), targets.get(t));
        }
        if (a == SHEET_FROM && id < sheetRows) {
          sheetCells.add(sheetRow(images, targets, predicted));
        }
      }
    }
    return new DemoReport(metrics, contactSheet(sheetCells), ageSweep(reager, val),
        reager.describe());
  }

  /**
   * Re-ages the first held-out identity from {@link #SHEET_FROM} to every age of the dataset:
   * a row of re-aged faces above a row of the ground truth.
   */
  private static BufferedImage ageSweep(ReAger reager, AgeDataset val) throws IOException {
    int from = val.ages().indexOf(SHEET_FROM);
    if (from < 0) {
      from = 0;
    }
    BufferedImage input = val.image(0, from);
    double[] ages = val.ages().stream().mapToDouble(Integer::doubleValue).toArray();
    List<BufferedImage> aged = reager.sweep(input, val.ages().get(from), ages);
    int label = 70;
    int header = 24;
    BufferedImage out = new BufferedImage(label + ages.length * SWEEP_CELL,
        header + 2 * SWEEP_CELL, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("re-aged", 6, header + SWEEP_CELL / 2);
    g.drawString("truth", 6, header + SWEEP_CELL + SWEEP_CELL / 2);
    for (int i = 0; i < ages.length; i++) {
      int x = label + i * SWEEP_CELL;
      g.drawString((i == from ? "input " : "") + (int) ages[i], x + 6, 17);
      g.drawImage(aged.get(i), x, header, SWEEP_CELL, SWEEP_CELL, null);
      g.drawImage(val.image(0, i), x, header + SWEEP_CELL, SWEEP_CELL, SWEEP_CELL, null);
    }
    g.dispose();
    return out;
  }

  /**
   * Returns a heat map of the per-pixel change between two images: the mean absolute RGB
   * difference, black at 0 through red and yellow to white at {@link #HEAT_FULL_SCALE} and above.
   *
   * @param from the input
   * @param to the output
   * @return an image of the same size
   */
  static BufferedImage heatMap(BufferedImage from, BufferedImage to) {
    float[] a = PlanarImage.fromBufferedImage(from).rgb();
    float[] b = PlanarImage.fromBufferedImage(to).rgb();
    int w = from.getWidth();
    int h = from.getHeight();
    int plane = w * h;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        float d = 0;
        for (int c = 0; c < 3; c++) {
          d += Math.abs(b[c * plane + i] - a[c * plane + i]);
        }
        out.setRGB(x, y, heat(d / 3 / HEAT_FULL_SCALE));
      }
    }
    return out;
  }

  /** Black -> red -> yellow -> white for t in [0, 1] (clamped). */
  static int heat(float t) {
    float v = Math.max(0f, Math.min(1f, t)) * 3;
    int r = (int) (255 * Math.min(1f, v));
    int g = (int) (255 * Math.max(0f, Math.min(1f, v - 1)));
    int bl = (int) (255 * Math.max(0f, Math.min(1f, v - 2)));
    return (r << 16) | (g << 8) | bl;
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

  /** Rows per identity: re-aged, truth, the model's change and the true change as heat maps. */
  static final int ROWS = 4;

  static BufferedImage contactSheet(List<BufferedImage[]> rows) {
    int cols = 1 + SHEET_TO.length;
    int header = 28;
    int label = 70;
    BufferedImage out = new BufferedImage(label + cols * CELL, header + ROWS * rows.size() * CELL,
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
      int yModel = header + ROWS * r * CELL;
      int yTruth = yModel + CELL;
      int yHeat = yTruth + CELL;
      int yTrueHeat = yHeat + CELL;
      g.setColor(Color.DARK_GRAY);
      g.drawString("re-aged", 6, yModel + CELL / 2);
      g.drawString("truth", 6, yTruth + CELL / 2);
      g.drawString("change", 6, yHeat + CELL / 2 - 7);
      g.drawString("(model)", 6, yHeat + CELL / 2 + 8);
      g.drawString("change", 6, yTrueHeat + CELL / 2 - 7);
      g.drawString("(truth)", 6, yTrueHeat + CELL / 2 + 8);
      g.drawImage(row[0], label, yModel, CELL, CELL, null);
      g.drawImage(row[0], label, yTruth, CELL, CELL, null);
      g.setColor(Color.BLACK);
      g.fillRect(label, yHeat, CELL, 2 * CELL); // the input has no change
      for (int c = 0; c < SHEET_TO.length; c++) {
        int x = label + (c + 1) * CELL;
        g.drawImage(row[1 + c], x, yModel, CELL, CELL, null);
        g.drawImage(row[1 + SHEET_TO.length + c], x, yTruth, CELL, CELL, null);
        g.drawImage(heatMap(row[0], row[1 + c]), x, yHeat, CELL, CELL, null);
        // The true change on the same scale: where the two heat rows differ, the model misses.
        g.drawImage(heatMap(row[0], row[1 + SHEET_TO.length + c]), x, yTrueHeat, CELL, CELL,
            null);
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
   * Returns the verdict a newcomer reads first: whether the model ages, with the numbers.
   *
   * @return one or two sentences
   */
  String verdict() {
    ReAgingMetrics.Summary o = metrics.overall();
    String head = o.changeCaptured() >= GOAL
        ? "The model re-ages held-out faces."
        : o.changeCaptured() > 0
            ? "The model has started to re-age but captures less than half of the change: "
                + "train longer (--steps, --minutes)."
            : "The model does not re-age yet: train longer (--steps, --minutes).";
    return head + " " + o.sentence();
  }

  /** Training time after which the held-out curve should stay below the baseline (the goal). */
  static final double SETTLE_SECONDS = 60;

  /**
   * Returns the epochs that end after the first {@code settleSeconds} of training (cumulative
   * epoch wall time) with a held-out L1 above the identity baseline: the curve going back above
   * "doing nothing".
   *
   * @param epochs the validated epochs in order
   * @param settleSeconds the training time to skip
   * @return those epochs' numbers, empty when the curve stayed below the baseline
   */
  static List<Integer> epochsAboveBaseline(List<EpochMetrics> epochs, double settleSeconds) {
    List<Integer> above = new ArrayList<>();
    double t = 0;
    for (EpochMetrics m : epochs) {
      t += m.seconds();
      if (t > settleSeconds && m.valL1() > m.identityL1()) {
        above.add(m.epoch());
      }
    }
    return above;
  }

  /** {@return one sentence on the validation curve against the baseline after its first minute} */
  static String curveSentence(List<EpochMetrics> epochs) {
    List<Integer> above = epochsAboveBaseline(epochs, SETTLE_SECONDS);
    double t = 0;
    int after = 0;
    for (EpochMetrics m : epochs) {
      t += m.seconds();
      after += t > SETTLE_SECONDS ? 1 : 0;
    }
    if (after == 0) {
      return "Training ended within its first minute, so the validation curve has no settled part.";
    }
    return above.isEmpty()
        ? String.format(Locale.ROOT, "After its first minute of training the held-out error stayed "
            + "below that of returning the input unchanged in all %d validations.", after)
        : String.format(Locale.ROOT, "After its first minute of training the held-out error went "
            + "back above that of returning the input unchanged in %d of %d validations (epochs "
            + "%s).", above.size(), after, above);
  }

  /** Change captured at which the demo calls the model one that re-ages. */
  static final double GOAL = 0.5;

  /**
   * Writes {@code contact-sheet.png}, {@code age-sweep.png}, {@code metrics.json} and
   * {@code report.html} into the demo folder.
   *
   * @return the report's path
   */
  Path write(Path out, Path runDir, GanTrainer.Result result, TrainingConfig cfg, Duration total)
      throws IOException {
    Photos.write(sheet, out.resolve("contact-sheet.png"));
    Photos.write(sweep, out.resolve("age-sweep.png"));
    List<EpochMetrics> epochs = result.metrics();
    ReAgingMetrics.Summary o = metrics.overall();
    com.google.gson.JsonObject j = new com.google.gson.JsonObject();
    j.addProperty("heldOutPairs", o.pairs());
    j.add("model", figures(o.modelL1(), o.modelPsnr()));
    j.add("identityBaseline", figures(o.identityL1(), o.identityPsnr()));
    put(j, "changeCaptured", o.changeCaptured());
    put(j, "deltaCorrelation", o.deltaCorrelation());
    com.google.gson.JsonObject bands = new com.google.gson.JsonObject();
    for (ReAgingMetrics.Band b : metrics.populatedBands()) {
      put(bands, b.label(), metrics.band(b).changeCaptured());
    }
    j.add("changeCapturedByTargetAge", bands);
    j.addProperty("recipe", cfg.recipe().name().toLowerCase(Locale.ROOT));
    j.addProperty("epochs", epochs.size());
    j.addProperty("steps", result.globalStep());
    j.addProperty("backend", backend);
    j.addProperty("seconds", total.getSeconds());
    com.google.gson.JsonArray above = new com.google.gson.JsonArray();
    epochsAboveBaseline(epochs, SETTLE_SECONDS).forEach(above::add);
    j.add("epochsAboveBaselineAfterFirstMinute", above);
    AtomicFiles.writeString(out.resolve("metrics.json"),
        new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(j) + "\n");

    String rel = out.toAbsolutePath().relativize(runDir.toAbsolutePath()).toString()
        .replace('\\', '/');
    StringBuilder rows = new StringBuilder();
    for (EpochMetrics m : epochs) {
      rows.append(String.format(Locale.ROOT,
          "<tr><td>%d</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td>"
              + "<td>%.2f</td><td>%.2f</td><td>%.0f%%</td></tr>%n",
          m.epoch(), m.globalStep(), m.trainG(), m.trainD(), m.valL1(), m.identityL1(),
          m.valPsnr(), m.identityPsnr(), 100 * m.changeCaptured()));
    }
    StringBuilder bandRows = new StringBuilder();
    for (ReAgingMetrics.Band b : metrics.populatedBands()) {
      ReAgingMetrics.Summary s = metrics.band(b);
      bandRows.append(String.format(Locale.ROOT,
          "<tr><td>%s</td><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.0f%%</td><td>%.2f</td></tr>%n",
          esc(b.label()), s.pairs(), s.modelL1(), s.identityL1(), 100 * s.changeCaptured(),
          s.deltaCorrelation()));
    }
    String html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>FRAN for Java demo</title>
        <style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        img{max-width:100%%;border:1px solid #ddd}.verdict{font-size:1.1em}</style></head><body>
        <h1>FRAN for Java demo</h1>
        <p class="verdict"><b>%s</b></p>
        <p>Synthetic aging data, a width-%d FRAN trained with the <code>%s</code> recipe for %d
        steps (%d epochs) with the GAN trainer in %s, exported to ONNX and reloaded through
        <code>ReAger.load</code> (%s).</p>
        <h2>Held-out identities</h2>
        <p>%d re-aging pairs between ages %s, on identities the model never saw. "Change
        captured" is 1 - L1(model, truth) / L1(input, truth): 100%% reproduces the true change,
        0%% is no better than returning the input unchanged.</p>
        <table><tr><th></th><th>L1</th><th>PSNR (dB)</th></tr>
        <tr><td>model</td><td>%.4f</td><td>%.2f</td></tr>
        <tr><td>identity baseline (output = input)</td><td>%.4f</td><td>%.2f</td></tr></table>
        <p>By target age:</p>
        <table><tr><th>target age</th><th>pairs</th><th>model L1</th><th>identity L1</th>
        <th>change captured</th><th>delta correlation</th></tr>
        %s</table>
        <h2>Contact sheet</h2>
        <p>Each identity: the input at %d re-aged to %s, the ground truth, then two heat maps on
        one scale (black: no change; red, yellow, white: up to %.2f mean RGB change): the model's
        per-pixel change, and below it the true change (truth - input). Where the two heat rows
        differ, the model misses or invents change.</p>
        <img src="contact-sheet.png" alt="contact sheet">
        <h2>Age sweep</h2>
        <p>One held-out identity re-aged from %d to every age of the dataset (top) beside the
        ground truth (bottom).</p>
        <img src="age-sweep.png" alt="age sweep">
        <h2>Training</h2>
        <p>%s</p>
        <img src="%s/change.png" alt="change captured per epoch">
        <img src="%s/validation.png" alt="validation L1"> <img src="%s/losses.png" alt="losses">
        <table><tr><th>epoch</th><th>step</th><th>train G</th><th>train D</th><th>val L1</th>
        <th>identity L1</th><th>val PSNR</th><th>identity PSNR</th><th>change captured</th></tr>
        %s</table>
        <h2>Files</h2>
        <ul><li><a href="model.onnx">model.onnx</a> (the deployed model)</li>
        <li><a href="%s/model.safetensors">model.safetensors</a> (PyTorch names, config in metadata)</li>
        <li><a href="%s/metrics.csv">metrics.csv</a>, <a href="metrics.json">metrics.json</a></li>
        <li><a href="%s/samples/">samples</a> (input | target | prediction per epoch)</li></ul>
        </body></html>
        """.formatted(esc(verdict()), cfg.hyperparameters().unet().baseWidth(),
            cfg.recipe().name().toLowerCase(Locale.ROOT), result.globalStep(), epochs.size(),
            DemoCommand.human(total), esc(backend), o.pairs(),
            java.util.Arrays.toString(EVAL_AGES), o.modelL1(), o.modelPsnr(), o.identityL1(),
            o.identityPsnr(), bandRows, SHEET_FROM, java.util.Arrays.toString(SHEET_TO),
            HEAT_FULL_SCALE, SHEET_FROM, esc(curveSentence(epochs)), rel, rel, rel, rows, rel, rel,
            rel);
    Path report = out.resolve("report.html");
    AtomicFiles.writeString(report, html);
    return report;
  }

  private static com.google.gson.JsonObject figures(double l1, double psnr) {
    com.google.gson.JsonObject f = new com.google.gson.JsonObject();
    put(f, "l1", l1);
    put(f, "psnr", psnr);
    return f;
  }

  /** Adds a number rounded to 6 decimals, or null when it is undefined (JSON has no NaN). */
  private static void put(com.google.gson.JsonObject o, String key, double v) {
    if (Double.isFinite(v)) {
      o.addProperty(key, Math.round(v * 1e6) / 1e6);
    } else {
      o.add(key, com.google.gson.JsonNull.INSTANCE);
    }
  }

  private static String esc(String s) {
    return HtmlEscapers.htmlEscaper().escape(s);
  }
}
