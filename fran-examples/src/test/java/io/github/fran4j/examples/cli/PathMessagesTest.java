package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ReAger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages that did not say what was wrong with a path. */
class PathMessagesTest {
  @TempDir Path tmp;

  @Test
  void aSymlinkLoopIsNotCalledMissing() throws Exception {
    Path a = tmp.resolve("a.onnx");
    Path b = tmp.resolve("b.onnx");
    Files.createSymbolicLink(a, b);
    Files.createSymbolicLink(b, a);
    assertThatThrownBy(() -> ReAger.load(a))
        .hasMessageContaining(a.toString())
        .hasMessageContaining("symbolic link that does not resolve");
  }

  @Test
  void datasetInfoOnAFileSaysItIsAFile() throws Exception {
    Path png = Files.write(tmp.resolve("file.png"), new byte[] {1});
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    assertThat(cl.execute("dataset-info", png.toString())).isNotZero();
    // Was "invalid dataset file.png: file.png".
    assertThat(err.toString()).contains(png + " is a file, expected a dataset folder");
  }
}
