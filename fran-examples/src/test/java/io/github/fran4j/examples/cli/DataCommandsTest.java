package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandsTest {
  @TempDir Path tmp;

  @Test
  void synthThenDatasetInfo() throws Exception {
    Path data = tmp.resolve("data");
    Path sheet = tmp.resolve("sheet.png");
    CliRun r =
        CliRun.of("synth", "--out", data.toString(), "--identities", "3", "--size", "32", "--ages",
            "20:60:20", "--seed", "4", "--contact-sheet", sheet.toString(), "--sheet-cell", "32");
    assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(0);
    assertThat(r.out()).contains("wrote 9 images").contains("[20, 40, 60]");
    assertThat(Files.exists(data.resolve("60").resolve("0002.png"))).isTrue();
    assertThat(Files.size(sheet)).isPositive();

    CliRun info = CliRun.of("dataset-info", data.toString());
    assertThat(info.code()).as("stderr: %s", info.err()).isEqualTo(0);
    assertThat(info.out())
        .contains("ages:        [20, 40, 60] (3)")
        .contains("identities:  3")
        .contains("image sizes: 32x32 (9)")
        .contains("missing:     none")
        .contains("status:      valid");
  }

  @Test
  void datasetInfoReportsMissingCellsAndFails() throws Exception {
    Path data = tmp.resolve("d");
    assertThat(CliRun.of("synth", "--out", data.toString(), "--identities", "2", "--size", "16",
        "--ages", "30,50").code()).isEqualTo(0);
    Files.delete(data.resolve("50").resolve("0001.png"));
    CliRun info = CliRun.of("dataset-info", data.toString());
    assertThat(info.code()).isEqualTo(1);
    assertThat(info.out()).contains("1 missing cell").contains("50/0001").contains("INVALID");
    assertThat(info.err()).contains("incomplete dataset").contains("lenient");
    CliRun lenient = CliRun.of("dataset-info", "--lenient", data.toString());
    assertThat(lenient.code()).isEqualTo(0);
    assertThat(lenient.out()).contains("dropped:     1 incomplete identities");
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
    CliRun info = CliRun.of("dataset-info", data.toString());
    assertThat(info.code()).isEqualTo(1);
    assertThat(info.out()).contains("layout:      DIR/<identity>/<age>.jpg")
        .contains("ages:        [25, 30, 40, 60] (4)").contains("identities:  3");
    assertThat(info.err()).contains("identity cy").contains("only age [40]");
    Files.delete(data.resolve("cy/40.png"));
    Files.delete(data.resolve("cy"));
    CliRun ok = CliRun.of("dataset-info", data.toString());
    assertThat(ok.code()).as("%s", ok.err()).isEqualTo(0);
    assertThat(ok.out()).contains("status:      valid");
  }

  @Test
  void datasetInfoFailsOnCorruptImagesAndBadFolders() throws Exception {
    Path data = tmp.resolve("d");
    CliRun.of("synth", "--out", data.toString(), "--identities", "2", "--size", "16", "--ages", "30,50");
    Path bad = data.resolve("30").resolve("0000.png");
    byte[] bytes = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    CliRun info = CliRun.of("dataset-info", data.toString());
    assertThat(info.code()).isEqualTo(1);
    assertThat(info.err()).contains("unreadable").contains(bad.toString());

    Files.createDirectories(data.resolve("old"));
    CliRun nonNumeric = CliRun.of("dataset-info", data.toString());
    assertThat(nonNumeric.code()).isEqualTo(1);
    assertThat(nonNumeric.err()).contains("non-numeric").contains("old");

    CliRun missing = CliRun.of("dataset-info", tmp.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nope");
  }

  @Test
  void datasetInfoChecksEachSplit() throws Exception {
    Path data = tmp.resolve("split");
    assertThat(CliRun.of("synth", "--out", data.toString(), "--identities", "3", "--size", "16",
        "--ages", "30,50", "--val", "1").code()).isEqualTo(0);
    CliRun info = CliRun.of("dataset-info", data.toString());
    assertThat(info.code()).as("stderr: %s", info.err()).isEqualTo(0);
    assertThat(info.out()).contains("== train").contains("== val").contains("identities:  2")
        .contains("identities:  1");
  }

  @Test
  void synthRejectsBadArgumentsWithUsageErrors() {
    CliRun r = CliRun.of("synth", "--out", tmp.toString(), "--ages", "10-85");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("FROM:TO:STEP");
    CliRun v = CliRun.of("synth", "--out", tmp.toString(), "--identities", "2", "--val", "2");
    assertThat(v.code()).isEqualTo(2);
    assertThat(v.err()).contains("--val must be in [1, 1]");
  }

  @Test
  void datasetInfoOnTheSharedSeedData() {
    Path seed = Paths.get(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    Assumptions.assumeTrue(Files.isDirectory(seed), "no shared seed data at " + seed + "; skipping");
    CliRun info = CliRun.of("dataset-info", seed.toString());
    assertThat(info.code()).as("stderr: %s", info.err()).isEqualTo(0);
    assertThat(info.out()).contains("== train").contains("ages:        [10, 15, 20] (3)")
        .contains("identities:  7").contains("256x256 (21)");
  }
}
