package io.github.fran4j.onnx.eval;

import com.google.common.html.HtmlEscapers;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.pipeline.Photos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a {@link PhotoEvaluation.Result} as {@code summary.csv} (one row per target age),
 * {@code samples.csv} (one row per photo and target age), the re-aged images under
 * {@code images/} and {@code report.html}. Stateless, thread-safe.
 */
public final class EvaluationReport {
  /** Header of {@code summary.csv}. */
  public static final String SUMMARY_HEADER = "target_age,photos,mean_estimated_age,"
      + "mean_error,mean_abs_error,mean_identity_cosine,min_identity_cosine,"
      + "outside_mask_max_change";
  /** Header of {@code samples.csv}. */
  public static final String SAMPLES_HEADER = "photo,input_age,target_age,estimated_input_age,"
      + "estimated_output_age,identity_cosine,outside_mask_max_change,"
      + "outside_mask_changed_pixels,outside_mask_pixels,image";

  private EvaluationReport() {}

  /**
   * Writes the report files into a folder.
   *
   * @param result the evaluation
   * @param dir the output folder (created if needed)
   * @param title what was evaluated, e.g. the model file, shown in the HTML
   * @return the HTML report's path
   * @throws IOException if a file cannot be written
   */
  public static Path write(PhotoEvaluation.Result result, Path dir, String title)
      throws IOException {
    Files.createDirectories(dir.resolve("images"));
    StringBuilder samples = new StringBuilder(SAMPLES_HEADER).append('\n');
    for (PhotoEvaluation.Sample s : result.samples()) {
      String image = "images/" + imageName(s);
      Photos.write(s.output(), dir.resolve(image));
      samples.append(csv(s.photo())).append(',').append(num(s.inputAge())).append(',')
          .append(num(s.targetAge())).append(',').append(num(s.inputEstimate())).append(',')
          .append(num(s.outputEstimate())).append(',').append(num(s.identity())).append(',')
          .append(s.outsideMaxChange()).append(',').append(s.outsideChangedPixels()).append(',')
          .append(s.outsidePixels()).append(',').append(image).append('\n');
    }
    StringBuilder summary = new StringBuilder(SUMMARY_HEADER).append('\n');
    for (PhotoEvaluation.Summary s : result.summaries()) {
      summary.append(num(s.targetAge())).append(',').append(s.count()).append(',')
          .append(num(s.meanEstimate())).append(',').append(num(s.meanError())).append(',')
          .append(num(s.meanAbsError())).append(',').append(num(s.meanIdentity())).append(',')
          .append(num(s.minIdentity())).append(',').append(s.outsideMaxChange()).append('\n');
    }
    AtomicFiles.writeString(dir.resolve("samples.csv"), samples);
    AtomicFiles.writeString(dir.resolve("summary.csv"), summary);
    Path html = dir.resolve("report.html");
    AtomicFiles.writeString(html, html(result, title));
    return html;
  }

  /** {@return a one-sentence reading of the result for a newcomer} */
  public static String verdict(PhotoEvaluation.Result result) {
    StringBuilder b = new StringBuilder();
    int outside = result.summaries().stream().mapToInt(PhotoEvaluation.Summary::outsideMaxChange)
        .max().orElse(0);
    PhotoEvaluation.Summary first = result.summaries().get(0);
    b.append(String.format(Locale.ROOT, "%d photos re-aged to %d target ages", first.count(),
        result.summaries().size()));
    if (!Double.isNaN(first.meanEstimate())) {
      b.append("; the age model reads the outputs as ");
      for (int i = 0; i < result.summaries().size(); i++) {
        PhotoEvaluation.Summary s = result.summaries().get(i);
        b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f for %.0f",
            s.meanEstimate(), s.targetAge()));
      }
      b.append(String.format(Locale.ROOT, " (its own error on the inputs: %.1f years)",
          result.inputMeanAbsError()));
    }
    if (!Double.isNaN(first.meanIdentity())) {
      b.append(String.format(Locale.ROOT, "; identity cosine similarity input vs output %.2f "
          + "(lowest %.2f)", result.summaries().stream()
              .mapToDouble(PhotoEvaluation.Summary::meanIdentity).average().orElse(Double.NaN),
          result.summaries().stream().mapToDouble(PhotoEvaluation.Summary::minIdentity).min()
              .orElse(Double.NaN)));
    }
    b.append(outside == 0 ? "; nothing outside the face mask changed."
        : "; WARNING: pixels outside the face mask changed (by up to " + outside + " levels).");
    return b.toString();
  }

  private static String html(PhotoEvaluation.Result r, String title) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fran eval</title>")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append("img{width:128px}</style></head><body>")
        .append("<h1>fran eval: ").append(esc(title)).append("</h1><p>").append(esc(verdict(r)))
        .append("</p><h2>Per target age</h2><table><tr><th>target age</th><th>photos</th>")
        .append("<th>mean estimated age</th><th>mean error</th><th>mean |error|</th>")
        .append("<th>identity cosine (mean)</th><th>identity cosine (min)</th>")
        .append("<th>max change outside the face mask</th></tr>");
    for (PhotoEvaluation.Summary s : r.summaries()) {
      h.append("<tr><td>").append(num(s.targetAge())).append("</td><td>").append(s.count())
          .append("</td><td>").append(num(s.meanEstimate())).append("</td><td>")
          .append(num(s.meanError())).append("</td><td>").append(num(s.meanAbsError()))
          .append("</td><td>").append(num(s.meanIdentity())).append("</td><td>")
          .append(num(s.minIdentity())).append("</td><td>").append(s.outsideMaxChange())
          .append("</td></tr>");
    }
    h.append("</table><p>Estimated ages come from the age model given with --age-model, identity "
        + "from the embedding model given with --identity-model; blank without them. The change "
        + "outside the face mask is the largest 8-bit channel difference between input and "
        + "output outside every face's crop, and must be 0. Per-photo figures: "
        + "<a href=\"samples.csv\">samples.csv</a>; per target age: "
        + "<a href=\"summary.csv\">summary.csv</a>.</p><h2>Outputs</h2><table>");
    String photo = null;
    for (PhotoEvaluation.Sample s : r.samples()) {
      if (!s.photo().equals(photo)) {
        h.append(photo == null ? "" : "</tr>").append("<tr><th>").append(esc(s.photo()))
            .append(" (").append(num(s.inputAge())).append(")</th>");
        photo = s.photo();
      }
      h.append("<td><img src=\"images/").append(esc(imageName(s))).append("\" alt=\"\"><br>")
          .append(num(s.targetAge())).append(Double.isNaN(s.outputEstimate()) ? ""
              : " (est. " + num(s.outputEstimate()) + ")").append("</td>");
    }
    h.append("</tr></table></body></html>\n");
    return h.toString();
  }

  private static String imageName(PhotoEvaluation.Sample s) {
    String stem = s.photo().replaceAll("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
    return stem + "_to_" + num(s.targetAge()) + ".png";
  }

  private static String num(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String esc(String s) {
    return HtmlEscapers.htmlEscaper().escape(s);
  }
}
