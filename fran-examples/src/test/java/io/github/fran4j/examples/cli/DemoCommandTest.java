package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.SafeTensors;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code fran demo} end to end at a tiny size. */
class DemoCommandTest {

  private static int run(StringWriter out, String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    return cl.execute(args);
  }

  @Test
  void demoTrainsExportsReloadsAndReports(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("demo");
    StringWriter log = new StringWriter();
    int code = run(log, "demo", "--out", out.toString(), "--minutes", "0.01", "--identities", "3",
        "--val-identities", "1", "--size", "32", "--width", "4", "--batches-per-epoch", "2",
        "--steps", "4");
    assertThat(code).as(log.toString()).isZero();
    assertThat(log.toString()).contains("[5/5]").contains("Report: ");

    for (String f : new String[] {"report.html", "contact-sheet.png", "age-sweep.png",
        "metrics.json", "model.onnx", "run/losses.png", "run/validation.png", "run/change.png",
        "run/model.safetensors"}) {
      assertThat(out.resolve(f)).as(f).isRegularFile();
    }
    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).contains("contact-sheet.png").contains("age-sweep.png")
        .contains("run/losses.png").contains("identity baseline").contains("Change")
        .contains("of the true change");
    BufferedImage sheet = ImageIO.read(out.resolve("contact-sheet.png").toFile());
    // One identity: re-aged, truth and change heat-map rows.
    assertThat(sheet.getHeight()).isGreaterThan(3 * 128);
    BufferedImage sweep = ImageIO.read(out.resolve("age-sweep.png").toFile());
    assertThat(sweep.getWidth()).isGreaterThan(16 * 96); // all 16 synthetic ages
    assertThat(log.toString()).contains("of the true change");

    JsonObject m = JsonParser.parseString(Files.readString(out.resolve("metrics.json")))
        .getAsJsonObject();
    // 1 held-out identity x 5 input ages x 4 other target ages.
    assertThat(m.get("heldOutPairs").getAsInt()).isEqualTo(20);
    assertThat(m.getAsJsonObject("model").get("l1").getAsDouble()).isFinite().isPositive();
    // The identity baseline recomputed here from the held-out images themselves.
    double baseline = identityL1(out.resolve("data/val"));
    assertThat(m.getAsJsonObject("identityBaseline").get("l1").getAsDouble())
        .isCloseTo(baseline, within(1e-5));
    // Change captured is 1 - model L1 / baseline L1 (pairs have equal sizes, so pooled = mean).
    assertThat(m.get("changeCaptured").getAsDouble()).isCloseTo(
        1 - m.getAsJsonObject("model").get("l1").getAsDouble() / baseline, within(1e-4));
    assertThat(m.getAsJsonObject("changeCapturedByTargetAge").keySet())
        .containsExactly("younger than 30", "30 to 59", "60 and over");
    assertThat(m.get("recipe").getAsString()).isEqualTo("fast");

    try (ReAger reager = ReAger.load(out.resolve("model.onnx"))) {
      BufferedImage face = ImageIO.read(out.resolve("data/val/30").toFile().listFiles()[0]);
      assertThat(reager.reage(face, 30, 70).getWidth()).isEqualTo(32);
    }
  }

  /** Mean |x_a - x_b| over the demo's evaluation age pairs, computed from the files. */
  private static double identityL1(Path val) throws Exception {
    int[] ages = DemoReport.EVAL_AGES;
    double sum = 0;
    int n = 0;
    for (Path img : Files.list(val.resolve(String.valueOf(ages[0]))).toList()) {
      String name = img.getFileName().toString();
      for (int a : ages) {
        for (int b : ages) {
          if (a == b) {
            continue;
          }
          float[] x = PlanarImage.fromBufferedImage(
              ImageIO.read(val.resolve(a + "/" + name).toFile())).rgb();
          float[] y = PlanarImage.fromBufferedImage(
              ImageIO.read(val.resolve(b + "/" + name).toFile())).rgb();
          double s = 0;
          for (int i = 0; i < x.length; i++) {
            s += Math.abs(x[i] - y[i]);
          }
          sum += s / x.length;
          n++;
        }
      }
    }
    return sum / n;
  }

  @Test
  void userModeReagesTheGivenImage(@TempDir Path dir) throws Exception {
    UNetConfig config = UNetConfig.builder().optBaseWidth(4).optDepth(2)
        .optTrainingResolution(16).build();
    Path model = dir.resolve("tiny.safetensors");
    SafeTensors.write(RandomUNetWeights.create(config, 5), model);
    BufferedImage img = new BufferedImage(20, 12, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 3, 0x808080);
    Path input = dir.resolve("face.png");
    ImageIO.write(img, "png", input.toFile());
    StringWriter log = new StringWriter();
    int code = run(log, "demo", "--model", model.toString(), "--input", input.toString(),
        "--to", "40,60", "--out", dir.resolve("o").toString());
    assertThat(code).as(log.toString()).isZero();
    BufferedImage strip = ImageIO.read(dir.resolve("o/reaged.png").toFile());
    assertThat(strip.getWidth()).isEqualTo(60);
    assertThat(strip.getHeight()).isEqualTo(12);
    assertThat(strip.getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x808080); // first panel is the input
  }

  @Test
  void modelWithoutInputIsAUsageError(@TempDir Path dir) {
    StringWriter log = new StringWriter();
    assertThat(run(log, "demo", "--model", "x.onnx", "--out", dir.toString())).isEqualTo(2);
    assertThat(log.toString()).contains("--model and --input go together");
  }
}
