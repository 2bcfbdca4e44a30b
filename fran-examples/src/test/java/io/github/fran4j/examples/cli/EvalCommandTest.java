package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code fran eval} with the fake backend of fran-core's test jar and the face models fetched
 * by {@code .ci/fetch-test-models} (those cases skip without them). The figures themselves are
 * checked against a direct computation in fran-onnx's {@code PhotoEvaluationTest}.
 */
class EvalCommandTest {
  static final Path MODELS = Path.of("").toAbsolutePath().getParent()
      .resolve("target/test-models/package/model");
  static final String AGE_SPEC = "{\"input\": {\"width\": %d, \"height\": %d, \"scale\": 255,"
      + " \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225]},"
      + " \"crop\": {\"boxScale\": 1.4}, \"output\": {\"decoding\": \"ssrnet\"}}";
  static final String FEATURE_SPEC = "{\"input\": {\"width\": 112, \"height\": 112, \"mean\": 127,"
      + " \"std\": 128}, \"output\": {\"decoding\": \"embedding\"}}";

  @TempDir Path tmp;

  private Path photos() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("photos"));
    Random r = new Random(3);
    BufferedImage img = new BufferedImage(96, 80, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, r.nextInt() & 0xffffff);
      }
    }
    ImageIO.write(img, "png", dir.resolve("someone_30.png").toFile());
    return dir;
  }

  private Path model() throws Exception {
    Path m = tmp.resolve("m.fake");
    Files.writeString(m, "fake");
    return m;
  }

  private Path file(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  static void needModels() {
    Assumptions.assumeTrue(Files.isRegularFile(MODELS.resolve("fr_age.onnx")),
        "face models absent: run .ci/fetch-test-models to enable this test");
  }

  @Test
  void writesTheReportWithEstimators() throws Exception {
    needModels();
    StringWriter out = new StringWriter();
    Path dir = tmp.resolve("out");
    int rc = run(out, new StringWriter(), "eval", "--model", model().toString(), "--photos",
        photos().toString(), "--ages", "20,70", "--face", "20,10,40,40", "--out", dir.toString(),
        "--age-model", MODELS.resolve("fr_age.onnx").toString(), "--age-model-spec",
        file("age.json", String.format(AGE_SPEC, 64, 64)).toString(), "--identity-model",
        MODELS.resolve("fr_feature.onnx").toString(), "--identity-model-spec",
        file("f.json", FEATURE_SPEC).toString());
    assertThat(rc).as(out.toString()).isZero();
    assertThat(out.toString()).contains("nothing outside the face mask changed")
        .contains("report.html");
    List<String> summary = Files.readAllLines(dir.resolve("summary.csv"));
    assertThat(summary).hasSize(3);
    for (String row : summary.subList(1, 3)) {
      String[] f = row.split(",", -1);
      assertThat(Double.parseDouble(f[2])).as("estimated age").isBetween(0.0, 101.0);
      assertThat(Double.parseDouble(f[5])).as("identity cosine").isBetween(-1.0, 1.0);
      assertThat(f[7]).as("change outside the mask").isEqualTo("0");
    }
    assertThat(Files.readAllLines(dir.resolve("samples.csv"))).hasSize(3);
    assertThat(dir.resolve("report.html")).exists();
  }

  @Test
  void aMismatchedSidecarIsOneLineNamingTheModel() throws Exception {
    needModels();
    StringWriter err = new StringWriter();
    Path age = MODELS.resolve("fr_age.onnx");
    int rc = run(new StringWriter(), err, "eval", "--model", model().toString(), "--photos",
        photos().toString(), "--out", tmp.resolve("out").toString(), "--age-model",
        age.toString(), "--age-model-spec", file("age.json", String.format(AGE_SPEC, 96, 96))
            .toString());
    assertThat(rc).isEqualTo(ExitCodes.MODEL_FORMAT);
    assertThat(err.toString().trim()).doesNotContain("\n").contains(age.toString())
        .contains("[1, 3, 96, 96]");
  }

  @Test
  void aPhotoWithoutAnAgeIsAUsageError() throws Exception {
    Path dir = photos();
    Files.move(dir.resolve("someone_30.png"), dir.resolve("someone.png"));
    StringWriter err = new StringWriter();
    int rc = run(new StringWriter(), err, "eval", "--model", model().toString(), "--photos",
        dir.toString(), "--out", tmp.resolve("out").toString());
    assertThat(rc).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("someone.png").contains("--ages-csv");
  }

  @Test
  void aMissingSidecarIsNamed() throws Exception {
    needModels();
    Path age = tmp.resolve("age.onnx");
    Files.copy(MODELS.resolve("fr_age.onnx"), age);
    StringWriter err = new StringWriter();
    int rc = run(new StringWriter(), err, "eval", "--model", model().toString(), "--photos",
        photos().toString(), "--out", tmp.resolve("out").toString(), "--age-model",
        age.toString());
    assertThat(rc).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).contains("age.onnx.json");
  }
}
