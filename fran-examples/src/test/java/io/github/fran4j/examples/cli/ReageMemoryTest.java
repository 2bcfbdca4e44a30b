package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.pipeline.PhotoMemory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fran reage --memory}: a photo over the pixel limit its budget allows is refused before
 * decoding, in one line with exit 1, naming the photo's size, the limit and the budget; the limit
 * follows the budget. The fake model states no configuration, so it is sized as width 64:
 * 160 + 50 x 64 = 3,360 bytes per pixel at {@code --face full}.
 */
class ReageMemoryTest {
  @TempDir Path tmp;

  private String[] args(Path in, String... more) throws Exception {
    Path model = Files.writeString(tmp.resolve("m.fake"), "fake");
    String[] base = {"reage", "--model", model.toString(), "--input", in.toString(), "--output",
        tmp.resolve("out.png").toString(), "--from", "30", "--to", "70", "--face", "full"};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  private static int run(StringWriter err, String... args) {
    picocli.CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void aHeaderOverTheBudgetIsRefusedInOneLineWithTheFigures() throws Exception {
    Path big = Files.write(tmp.resolve("big.png"), pngHeaderOnly(6000, 4000));
    StringWriter err = new StringWriter();
    int rc = run(err, args(big, "--memory", "64m"));
    assertThat(rc).as(err.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString().lines()).hasSize(1);
    // 64 MiB / 3,360 bytes = 19,972 pixels.
    assertThat(err.toString()).startsWith("fran reage: " + big + ": 6000x4000 = 24,000,000 pixels "
        + "exceeds the pixel limit of 19,972 set by a memory budget of 64.00 MiB at --face full");
    assertThat(tmp.resolve("out.png")).doesNotExist();
  }

  @Test
  void theLimitScalesWithTheBudget() throws Exception {
    Path in = tmp.resolve("in.png");
    ImageIO.write(new BufferedImage(150, 150, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
    StringWriter err = new StringWriter();
    // 22,500 pixels: over 64 MiB's 19,972, under 128 MiB's 39,945.
    assertThat(run(err, args(in, "--memory", "64m"))).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).contains("22,500 pixels exceeds the pixel limit of 19,972");
    StringWriter err2 = new StringWriter();
    assertThat(run(err2, args(in, "--memory", "128m"))).as(err2.toString()).isEqualTo(ExitCodes.OK);
    assertThat(tmp.resolve("out.png")).exists();
  }

  @Test
  void withoutMemoryTheBudgetIsThreeQuartersOfTheMachine() throws Exception {
    Path big = Files.write(tmp.resolve("big.png"), pngHeaderOnly(20000, 20000));
    StringWriter err = new StringWriter();
    assertThat(run(err, args(big))).isEqualTo(ExitCodes.FAILED);
    long budget = PhotoMemory.ofMachine().bytes();
    assertThat(err.toString()).contains("400,000,000 pixels exceeds the pixel limit of "
        + String.format(java.util.Locale.ROOT, "%,d", budget / 3_360))
        .containsAnyOf("3/4 of this machine's memory", "the JVM's maximum heap (-Xmx)");
    // Where the machine tells its memory and it exceeds the heap, that is the default.
    long physical = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    if (physical / 4 * 3 > Runtime.getRuntime().maxMemory()) {
      assertThat(budget).isEqualTo(physical / 4 * 3);
      assertThat(err.toString()).contains("3/4 of this machine's memory");
    }
  }

  @Test
  void aBadBudgetIsAUsageError() throws Exception {
    Path in = tmp.resolve("in.png");
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
    StringWriter err = new StringWriter();
    assertThat(run(err, args(in, "--memory", "lots"))).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--memory: memory budget 'lots' is not a size");
  }

  /** A PNG signature and IHDR chunk (valid CRC) claiming a size, and no pixel data. */
  private static byte[] pngHeaderOnly(int width, int height) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    DataOutputStream c = new DataOutputStream(chunk);
    c.write("IHDR".getBytes(StandardCharsets.US_ASCII));
    c.writeInt(width);
    c.writeInt(height);
    c.write(new byte[] {8, 2, 0, 0, 0});
    out.writeInt(8 + 5);
    out.write(chunk.toByteArray());
    CRC32 crc = new CRC32();
    crc.update(chunk.toByteArray());
    out.writeInt((int) crc.getValue());
    return b.toByteArray();
  }
}
