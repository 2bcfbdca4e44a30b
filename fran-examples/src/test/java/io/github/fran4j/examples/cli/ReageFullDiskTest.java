package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fran reage} writing over its input, and onto a disk that fills up: the full disk is a
 * file size limit ({@code ulimit -f}) on a child JVM, which then gets "File too large" on the
 * write that crosses it, as it would get "No space left on device". Before outputs went through a
 * temporary file, the original photo was left truncated.
 */
class ReageFullDiskTest {
  private static final int LIMIT_KB = 48;

  @TempDir Path tmp;

  private Path noisePng(String name, int side) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(7);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        img.setRGB(x, y, r.nextInt() & 0xffffff);
      }
    }
    Path p = tmp.resolve(name);
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  private Path model() throws Exception {
    Path m = tmp.resolve("m.fake");
    Files.writeString(m, "fake");
    return m;
  }

  @Test
  void writingOverTheInputReplacesItWithTheResult() throws Exception {
    Path in = noisePng("a.png", 40);
    Path copy = Files.copy(in, tmp.resolve("b.png"));
    Path expected = tmp.resolve("expected.png");
    CliRun.run("reage", "--model", model().toString(), "--input", copy.toString(), "--output",
        expected.toString(), "--from", "30", "--to", "70", "--face", "full");
    StringWriter err = new StringWriter();
    int rc = CliRun.run(err, "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", in.toString(), "--from", "30", "--to", "70", "--face", "full");
    assertThat(rc).as(err.toString()).isZero();
    assertThat(Files.readAllBytes(in)).isEqualTo(Files.readAllBytes(expected));
  }

  @Test
  void aFullDiskLeavesTheInputIntactAndNoPartialOutput() throws Exception {
    Assumptions.assumeTrue(new File("/bin/bash").canExecute(), "needs bash for ulimit");
    Path in = noisePng("a.png", 200); // about 120 KB of PNG: the result cannot fit under the limit
    assertThat(Files.size(in)).isGreaterThan(2L * LIMIT_KB * 1024);
    byte[] original = Files.readAllBytes(in);

    Child same = reageInChild(in, in);
    assertThat(same.rc).as(same.output).isNotZero();
    assertThat(same.output).contains(in.toString()).contains("File too large");
    assertThat(Files.readAllBytes(in)).as("the original photo").isEqualTo(original);

    Path fresh = tmp.resolve("new.png");
    Child other = reageInChild(in, fresh);
    assertThat(other.rc).as(other.output).isNotZero();
    assertThat(fresh).as("no half-written output").doesNotExist();
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("no temporary file left")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void aTruncatedJpegIsRefusedUnlessLenient() throws Exception {
    Path jpeg = tmp.resolve("whole.jpg");
    ImageIO.write(ImageIO.read(noisePng("n.png", 64).toFile()), "jpeg", jpeg.toFile());
    byte[] all = Files.readAllBytes(jpeg);
    Path cut = Files.write(tmp.resolve("cut.jpg"), java.util.Arrays.copyOf(all, all.length * 6 / 10));
    Path out = tmp.resolve("out.png");
    StringWriter err = new StringWriter();
    int rc = CliRun.run(err, "reage", "--model", model().toString(), "--input", cut.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "full");
    assertThat(rc).isNotZero();
    assertThat(err.toString()).contains(cut.toString()).contains("corrupt or truncated");
    assertThat(out).doesNotExist();
    assertThat(CliRun.run("reage", "--model", model().toString(), "--input", cut.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "full", "--lenient"))
        .isZero();
    assertThat(out).exists();
  }

  private static final class Child {
    final int rc;
    final String output;

    Child(int rc, String output) {
      this.rc = rc;
      this.output = output;
    }
  }

  private Child reageInChild(Path in, Path out) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of("/bin/bash", "-c", "ulimit -f " + LIMIT_KB + " && exec \"$@\"", "fran",
        java, "-XX:-UsePerfData", "-Xshare:off", "-cp", System.getProperty("java.class.path"),
        FranCli.class.getName(), "reage", "--model", model().toString(), "--input", in.toString(),
        "--output", out.toString(), "--from", "30", "--to", "70", "--face", "full");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Child(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
  }

  /** Runs the CLI in this JVM. */
  static final class CliRun {
    static int run(String... args) {
      return run(new StringWriter(), args);
    }

    static int run(StringWriter err, String... args) {
      picocli.CommandLine cl = FranCli.commandLine();
      cl.setErr(new PrintWriter(err));
      return cl.execute(args);
    }
  }
}
