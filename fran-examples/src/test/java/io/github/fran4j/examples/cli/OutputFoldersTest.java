package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fran synth --out EXISTING} replaced a dataset's images and {@code fran train --out} equal
 * to {@code --data} wrote checkpoints into the dataset: both are refused now (exit 2) unless the
 * folder is new, empty, the command's own, or {@code --overwrite} is given.
 */
class OutputFoldersTest {
  @TempDir Path tmp;

  private int run(StringWriter err, String... args) {
    picocli.CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    return cl.execute(args);
  }

  private Path dataset() {
    Path data = tmp.resolve("data");
    assertThat(run(new StringWriter(), "synth", "--out", data.toString(), "--identities", "2",
        "--size", "16", "--ages", "20,60", "--threads", "1")).isZero();
    return data;
  }

  @Test
  void synthRefusesAFolderThatHoldsFilesUnlessOverwrite() throws Exception {
    Path data = dataset();
    Path image = data.resolve("20").resolve(Files.list(data.resolve("20")).findFirst().orElseThrow()
        .getFileName());
    byte[] before = Files.readAllBytes(image);
    StringWriter err = new StringWriter();
    int rc = run(err, "synth", "--out", data.toString(), "--identities", "2", "--size", "16",
        "--ages", "20,60", "--seed", "5", "--threads", "1");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--out " + data).contains("is not empty")
        .contains("--overwrite");
    assertThat(Files.readAllBytes(image)).isEqualTo(before);
    assertThat(run(new StringWriter(), "synth", "--out", data.toString(), "--identities", "2",
        "--size", "16", "--ages", "20,60", "--seed", "5", "--threads", "1", "--overwrite"))
        .isZero();
    assertThat(Files.readAllBytes(image)).isNotEqualTo(before);
  }

  @Test
  void trainRefusesAnOutputEqualToOrInsideTheData() throws Exception {
    Path data = dataset();
    for (Path out : new Path[] {data, data.resolve("runs/r1"), data.resolve("20/../.")}) {
      StringWriter err = new StringWriter();
      int rc = run(err, "train", "--data", data.toString(), "--out", out.toString(),
          "--epochs", "1", "--size", "16", "--width", "4", "--d-width", "4", "--max-steps", "1");
      assertThat(rc).as(out.toString()).isEqualTo(2);
      assertThat(err.toString()).contains("--data " + data)
          .containsAnyOf("is the same folder as", "is inside");
    }
    assertThat(data.resolve("runs")).doesNotExist();
    assertThat(data.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void trainRefusesANonEmptyFolderThatIsNotARun() throws Exception {
    Path data = dataset();
    Path other = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(other.resolve("holiday.txt"), "mine");
    StringWriter err = new StringWriter();
    int rc = run(err, "train", "--data", data.toString(), "--out", other.toString(),
        "--epochs", "1", "--size", "16", "--width", "4", "--d-width", "4", "--max-steps", "1");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("is not empty").contains("--overwrite");
    assertThat(other.resolve("checkpoints")).doesNotExist();
  }
}
