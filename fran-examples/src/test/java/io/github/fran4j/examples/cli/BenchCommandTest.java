package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
  @Test
  void tinyBenchPrintsEveryRowAndWritesTheTable(@TempDir Path dir) throws Exception {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    Path table = dir.resolve("bench.md");
    int rc = cl.execute("bench", "--width", "4", "--depth", "2", "--sizes", "16,24", "--runs",
        "2", "--warmup", "0", "--threads", "1", "--calibration-count", "2", "--matmul", "64",
        "--int8-float", "up2.conv.double_conv.5", "--in-process", "--out", table.toString());
    String text = out.toString();
    assertThat(rc).as(text).isZero();
    assertThat(text).contains("| onnxruntime fp32 | 16 |", "| onnxruntime fp32 | 24 |",
                "| onnxruntime int8 | 24 |", "| onnxruntime int8 (1 activations float) | 24 |",
        "int8 vs fp32 delta PSNR", "MatMul 64x64x64");
    assertThat(text).containsAnyOf("DJL: skipped", "| djl eval | 16 |");
    assertThat(Files.readString(table)).contains("| onnxruntime int8 | 16 |");
    assertThat(dir.resolve("bench.md.partial")).doesNotExist();
  }

  @Test
  void eachCaseRunsInAJvmOfItsOwnByDefault() {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    int rc = cl.execute("bench", "--width", "4", "--depth", "2", "--sizes", "16", "--runs", "1",
        "--warmup", "0", "--threads", "1", "--skip-int8", "--matmul", "64");
    String text = out.toString();
    assertThat(rc).as(text).isZero();
    assertThat(text).contains("Each case ran in a JVM of its own");
    // A real row, not a failure row: the child JVM ran and reported a latency and a peak RSS.
    // The unit depends on the machine's speed (below 0.1 s in ms, else in s).
    assertThat(text).containsPattern("\\| onnxruntime fp32 \\| 16 \\| [0-9.]+ m?s \\| [0-9.]+ GB \\|");
    if (text.contains("| djl eval |")) {
      assertThat(text).containsPattern("\\| djl eval \\| 16 \\| [0-9.]+ m?s \\| [0-9.]+ GB \\|");
    }
  }

  @Test
  void benchCaseNeedsExactlyOneModel() {
    CommandLine cl = FranCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("bench-case", "--size", "16", "--runs", "1", "--warmup", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("needs exactly one of --onnx FILE and --djl-weights FILE");
  }

  @Test
  void latencyKeepsThreeSignificantDigitsForSmallModels() {
    assertThat(BenchCommand.latency(0.4531)).isEqualTo("0.453 s");
    assertThat(BenchCommand.latency(7.3694)).isEqualTo("7.369 s");
    assertThat(BenchCommand.latency(0.00231)).isEqualTo("2.31 ms");
  }
}
