package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code fran reage} with the fake backend of fran-core's test jar ({@code .fake} files). */
class ReageCommandTest {
  @TempDir Path tmp;

  private Path model() throws Exception {
    Path m = tmp.resolve("m.fake");
    Files.writeString(m, "fake");
    return m;
  }

  private Path png(String name, int w, int h, long seed) throws Exception {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt() & 0xffffff);
      }
    }
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  private int run(StringWriter err, String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void faceBoxChangesOnlyTheBox() throws Exception {
    Path in = png("in.png", 96, 80, 1);
    Path out = tmp.resolve("out.png");
    int rc = run(new StringWriter(), "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "20,10,40,40");
    assertThat(rc).isEqualTo(0);
    BufferedImage a = ImageIO.read(in.toFile());
    BufferedImage b = ImageIO.read(out.toFile());
    int changed = 0;
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 96; x++) {
        boolean inside = x >= 20 && x < 60 && y >= 10 && y < 50;
        if (!inside) {
          assertThat(b.getRGB(x, y)).isEqualTo(a.getRGB(x, y));
        } else if (b.getRGB(x, y) != a.getRGB(x, y)) {
          changed++;
        }
      }
    }
    assertThat(changed).isGreaterThan(400);
  }

  @Test
  void communityPthRunsAsItIs() throws Exception {
    Path in = png("in.png", 72, 56, 3);
    Path out = tmp.resolve("out.png");
    StringWriter err = new StringWriter();
    Path pth = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4");
    int rc = run(err, "reage", "--model", pth.toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "full");
    assertThat(rc).as(err.toString()).isEqualTo(0);
    BufferedImage a = ImageIO.read(in.toFile());
    BufferedImage b = ImageIO.read(out.toFile());
    assertThat(b.getWidth()).isEqualTo(72);
    int changed = 0;
    for (int y = 0; y < 56; y++) {
      for (int x = 0; x < 72; x++) {
        changed += a.getRGB(x, y) != b.getRGB(x, y) ? 1 : 0;
      }
    }
    assertThat(changed).isGreaterThan(72 * 56 / 2);
  }

  @Test
  void communityRecipeChangesOnlyTheSquareAroundTheFaceBox() throws Exception {
    Path in = png("in.png", 200, 160, 4);
    Path out = tmp.resolve("out.png");
    StringWriter err = new StringWriter();
    // Box 80,60 30x30: sides 30 / (2 / 0.85) = 12.75, top 0.63 * 0.85 * 30 = 16.065, bottom
    // 0.37 * 0.85 * 30 = 9.435: a 55.5 square at x 67.25..122.75, y 43.935..99.435.
    int rc = run(err, "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "80,60,30,30",
        "--recipe", "community");
    assertThat(rc).as(err.toString()).isEqualTo(0);
    BufferedImage a = ImageIO.read(in.toFile());
    BufferedImage b = ImageIO.read(out.toFile());
    int changed = 0;
    for (int y = 0; y < 160; y++) {
      for (int x = 0; x < 200; x++) {
        boolean inside = x >= 66 && x <= 123 && y >= 43 && y <= 100;
        if (!inside) {
          assertThat(b.getRGB(x, y)).as("(%s, %s)", x, y).isEqualTo(a.getRGB(x, y));
        } else if (b.getRGB(x, y) != a.getRGB(x, y)) {
          changed++;
        }
      }
    }
    assertThat(changed).isGreaterThan(40 * 40);
    StringWriter bad = new StringWriter();
    assertThat(run(bad, "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--recipe", "other"))
        .isEqualTo(2);
    assertThat(bad.toString()).contains("[aligned, community]");
  }

  @Test
  void communityRecipeOnTheBuilderGivesTheCliPixels() throws Exception {
    Path in = png("in.png", 120, 100, 6);
    Path out = tmp.resolve("out.png");
    StringWriter err = new StringWriter();
    Path pth = io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4");
    int rc = run(err, "reage", "--model", pth.toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "40,30,36,40",
        "--recipe", "community");
    assertThat(rc).as(err.toString()).isEqualTo(0);
    BufferedImage img = ImageIO.read(in.toFile());
    BufferedImage cli = ImageIO.read(out.toFile());
    BufferedImage api;
    try (io.github.fran4j.core.ReAger r = io.github.fran4j.core.ReAger.builder().setModel(pth)
        .optFaceBox(40, 30, 36, 40)
        .optCommunityRecipe(io.github.fran4j.core.pipeline.CommunityRecipe.create()).build()) {
      api = r.reage(img, 30, 70);
      assertThatThrownBy(() -> r.reage(img, io.github.fran4j.core.image.AgeMap.constant(30),
          io.github.fran4j.core.image.AgeMap.fromGrey(img, 20, 80)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("constant targetAge");
    }
    int changed = 0;
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 120; x++) {
        assertThat(api.getRGB(x, y)).as("(%s, %s)", x, y).isEqualTo(cli.getRGB(x, y));
        changed += img.getRGB(x, y) != cli.getRGB(x, y) ? 1 : 0;
      }
    }
    assertThat(changed).isGreaterThan(40 * 40);
  }

  @Test
  void sweepAndGrid() throws Exception {
    Path in = png("in.png", 64, 48, 2);
    Path dir = tmp.resolve("sweep");
    assertThat(run(new StringWriter(), "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", dir.toString(), "--from", "30", "--to", "50,70")).isEqualTo(0);
    assertThat(dir.resolve("in_age50.png")).exists();
    assertThat(dir.resolve("in_age70.png")).exists();
    Path grid = tmp.resolve("grid.png");
    assertThat(run(new StringWriter(), "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", grid.toString(), "--from", "30", "--to", "50,70", "--grid")).isEqualTo(0);
    assertThat(ImageIO.read(grid.toFile()).getWidth()).isEqualTo(3 * 64);
  }

  @Test
  void folderWithKeyframes() throws Exception {
    for (int i = 0; i < 3; i++) {
      png("frames/f" + i + ".png", 64, 48, 10 + i);
    }
    Path out = tmp.resolve("out");
    int rc = run(new StringWriter(), "reage", "--model", model().toString(), "--input",
        tmp.resolve("frames").toString(), "--output", out.toString(), "--from", "30",
        "--to", "0:30,2:70", "--face", "8,8,32,32");
    assertThat(rc).isEqualTo(0);
    // The fake's green delta is 0.5 * (target - input) / 100: frame 0 (target 30 = input) keeps its
    // green channel, frame 2 (target 70) gets +0.2 in green.
    BufferedImage f0 = ImageIO.read(tmp.resolve("frames/f0.png").toFile());
    BufferedImage o0 = ImageIO.read(out.resolve("f0.png").toFile());
    BufferedImage f2 = ImageIO.read(tmp.resolve("frames/f2.png").toFile());
    BufferedImage o2 = ImageIO.read(out.resolve("f2.png").toFile());
    assertThat((o0.getRGB(24, 24) >> 8) & 0xff).isEqualTo((f0.getRGB(24, 24) >> 8) & 0xff);
    assertThat((o2.getRGB(24, 24) >> 8) & 0xff)
        .isEqualTo(Math.min(255, ((f2.getRGB(24, 24) >> 8) & 0xff) + 51));
  }

  @Test
  void badArgumentsGiveUsageErrors() throws Exception {
    Path in = png("in.png", 32, 32, 3);
    StringWriter err = new StringWriter();
    int rc = run(err, "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", tmp.resolve("o.png").toString(), "--from", "30", "--to", "70", "--face", "1,2,3");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--face must be auto, full or x,y,w,h");
    StringWriter err2 = new StringWriter();
    assertThat(run(err2, "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", tmp.resolve("o.png").toString(), "--from", "30", "--to", "0:70")).isEqualTo(2);
    assertThat(err2.toString()).contains("need a folder");
  }

  /** Each error is one line on stderr, no stack trace, and the documented exit code. */
  private void expectOneLine(int code, String text, String... args) {
    StringWriter err = new StringWriter();
    assertThat(run(err, args)).as("exit code of %s", String.join(" ", args)).isEqualTo(code);
    String e = err.toString();
    assertThat(e.strip().lines()).as(e).hasSize(1);
    assertThat(e).startsWith("fran reage: ").contains(text).doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void errorsAreOneLineWithTheirExitCode() throws Exception {
    String in = png("in.png", 32, 32, 3).toString();
    String out = tmp.resolve("o.png").toString();
    String model = model().toString();
    String missing = tmp.resolve("missing.onnx").toString();
    expectOneLine(ExitCodes.FAILED, "missing.onnx: model file does not exist",
        "reage", "--model", missing, "--input", in, "--output", out, "--from", "30", "--to", "70");
    expectOneLine(ExitCodes.USAGE, "--from must be a finite age in [0, 150] years, got 300.0",
        "reage", "--model", model, "--input", in, "--output", out, "--from", "300", "--to", "70");
    expectOneLine(ExitCodes.USAGE, "unknown device 'tpu', expected auto, cpu, cuda or cuda:N",
        "reage", "--model", model, "--input", in, "--output", out, "--from", "30", "--to", "70",
        "--device", "tpu");
    Path text = Files.writeString(tmp.resolve("notes.bin"), "not a model");
    expectOneLine(ExitCodes.NO_BACKEND, "no backend accepts model file",
        "reage", "--model", text.toString(), "--input", in, "--output", out, "--from", "30",
        "--to", "70");
  }

  @Test
  void debugAddsTheStackTrace() throws Exception {
    StringWriter err = new StringWriter();
    int rc = run(err, "reage", "--debug", "--model", tmp.resolve("missing.onnx").toString(),
        "--input", png("in.png", 32, 32, 3).toString(), "--output", tmp.resolve("o.png").toString(),
        "--from", "30", "--to", "70");
    assertThat(rc).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).startsWith("fran reage: ").contains("NoSuchFileException")
        .contains("\tat ");
  }
}
