package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandsTest {
  @TempDir Path tmp;

  /** Runs the CLI in-process and returns {exit code, stdout, stderr}. */
  private static Object[] run(String... args) {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Object[] {code, out.toString(), err.toString()};
  }

  @Test
  void synthThenDatasetInfo() throws Exception {
    Path data = tmp.resolve("data");
    Path sheet = tmp.resolve("sheet.png");
    Object[] r =
        run("synth", "--out", data.toString(), "--identities", "3", "--size", "32", "--ages",
            "20:60:20", "--seed", "4", "--contact-sheet", sheet.toString(), "--sheet-cell", "32");
    assertThat(r[0]).as("stderr: %s", r[2]).isEqualTo(0);
    assertThat((String) r[1]).contains("wrote 9 images").contains("[20, 40, 60]");
    assertThat(Files.exists(data.resolve("60").resolve("0002.png"))).isTrue();
    assertThat(Files.size(sheet)).isPositive();

    Object[] info = run("dataset-info", data.toString());
    assertThat(info[0]).as("stderr: %s", info[2]).isEqualTo(0);
    assertThat((String) info[1])
        .contains("ages:        [20, 40, 60] (3)")
        .contains("identities:  3")
        .contains("image sizes: 32x32 (9)")
        .contains("missing:     none")
        .contains("status:      valid");
  }

  @Test
  void datasetInfoReportsMissingCellsAndFails() throws Exception {
    Path data = tmp.resolve("d");
    assertThat(run("synth", "--out", data.toString(), "--identities", "2", "--size", "16",
        "--ages", "30,50")[0]).isEqualTo(0);
    Files.delete(data.resolve("50").resolve("0001.png"));
    Object[] info = run("dataset-info", data.toString());
    assertThat(info[0]).isEqualTo(1);
    assertThat((String) info[1]).contains("1 missing cell").contains("50/0001").contains("INVALID");
    assertThat((String) info[2]).contains("incomplete dataset").contains("lenient");
    Object[] lenient = run("dataset-info", "--lenient", data.toString());
    assertThat(lenient[0]).isEqualTo(0);
    assertThat((String) lenient[1]).contains("dropped:     1 incomplete identities");
  }

  @Test
  void datasetInfoRecognisesIdentityFoldersAndNamesAnIdentityWithOneAge() throws Exception {
    Path data = tmp.resolve("people");
    for (String cell : List.of("ann/25", "ann/60", "ben/30", "ben/60", "cy/40")) {
      Path f = data.resolve(cell + ".png");
      Files.createDirectories(f.getParent());
      javax.imageio.ImageIO.write(
          new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
          f.toFile());
    }
    Object[] info = run("dataset-info", data.toString());
    assertThat(info[0]).isEqualTo(1);
    assertThat((String) info[1]).contains("layout:      DIR/<identity>/<age>.jpg")
        .contains("ages:        [25, 30, 40, 60] (4)").contains("identities:  3");
    assertThat((String) info[2]).contains("identity cy").contains("only age [40]");
    Files.delete(data.resolve("cy/40.png"));
    Files.delete(data.resolve("cy"));
    Object[] ok = run("dataset-info", data.toString());
    assertThat(ok[0]).as("%s", ok[2]).isEqualTo(0);
    assertThat((String) ok[1]).contains("status:      valid");
  }

  @Test
  void datasetInfoFailsOnCorruptImagesAndBadFolders() throws Exception {
    Path data = tmp.resolve("d");
    run("synth", "--out", data.toString(), "--identities", "2", "--size", "16", "--ages", "30,50");
    Path bad = data.resolve("30").resolve("0000.png");
    byte[] bytes = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    Object[] info = run("dataset-info", data.toString());
    assertThat(info[0]).isEqualTo(1);
    assertThat((String) info[2]).contains("unreadable").contains(bad.toString());

    Files.createDirectories(data.resolve("old"));
    Object[] nonNumeric = run("dataset-info", data.toString());
    assertThat(nonNumeric[0]).isEqualTo(1);
    assertThat((String) nonNumeric[2]).contains("non-numeric").contains("old");

    Object[] missing = run("dataset-info", tmp.resolve("nope").toString());
    assertThat(missing[0]).isEqualTo(1);
    assertThat((String) missing[2]).contains("nope");
  }

  @Test
  void datasetInfoChecksEachSplit() throws Exception {
    Path data = tmp.resolve("split");
    assertThat(run("synth", "--out", data.toString(), "--identities", "3", "--size", "16",
        "--ages", "30,50", "--val", "1")[0]).isEqualTo(0);
    Object[] info = run("dataset-info", data.toString());
    assertThat(info[0]).as("stderr: %s", info[2]).isEqualTo(0);
    assertThat((String) info[1]).contains("== train").contains("== val").contains("identities:  2")
        .contains("identities:  1");
  }

  @Test
  void synthRejectsBadArgumentsWithUsageErrors() {
    Object[] r = run("synth", "--out", tmp.toString(), "--ages", "10-85");
    assertThat(r[0]).isEqualTo(2);
    assertThat((String) r[2]).contains("FROM:TO:STEP");
    Object[] v = run("synth", "--out", tmp.toString(), "--identities", "2", "--val", "2");
    assertThat(v[0]).isEqualTo(2);
    assertThat((String) v[2]).contains("--val must be in [1, 1]");
  }

  @Test
  void datasetInfoOnTheSharedSeedData() {
    Path seed = Paths.get(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    Assumptions.assumeTrue(Files.isDirectory(seed), "no shared seed data at " + seed + "; skipping");
    Object[] info = run("dataset-info", seed.toString());
    assertThat(info[0]).as("stderr: %s", info[2]).isEqualTo(0);
    assertThat((String) info[1]).contains("== train").contains("ages:        [10, 15, 20] (3)")
        .contains("identities:  7").contains("256x256 (21)");
  }
}
