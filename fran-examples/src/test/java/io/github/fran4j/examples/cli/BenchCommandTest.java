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
  /** A measured latency in either unit the table uses: no test may depend on the magnitude. */
  private static final String LATENCY = "[0-9.]+ (ms|s)";

  /** Asserts that a row is a measured one (latency and peak RSS), not a "failed:" row. */
  private static void assertMeasured(String text, String engine, int size) {
    assertThat(text).containsPattern("\\| " + java.util.regex.Pattern.quote(engine) + " \\| "
        + size + " \\| " + LATENCY + " \\| [0-9.]+ GB \\|");
  }

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
    assertThat(text).as("no case failed").doesNotContain("failed:");
    assertMeasured(text, "onnxruntime fp32", 16);
    assertMeasured(text, "onnxruntime fp32", 24);
    assertMeasured(text, "onnxruntime int8", 24);
    assertMeasured(text, "onnxruntime int8 (1 activations float)", 24);
    assertThat(text).contains("int8 vs fp32 delta PSNR", "MatMul 64x64x64");
    // Every backend provider on the class path gets rows: fran-training's DJL one included.
    assertMeasured(text, "djl fp32", 16);
    assertMeasured(text, "pure-java fp32", 24);
    // By rank; fran-core's test backend ("fake", rank 1) may follow on this test class path.
    assertThat(text).contains("Backends timed: [onnxruntime, pure-java, djl");
    assertThat(Files.readString(table)).contains("| onnxruntime int8 | 16 |");
    assertThat(dir.resolve("bench.md.partial")).doesNotExist();
  }

  @Test
  void bothFamiliesInOneRun() {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    int rc = cl.execute("bench", "--family", "reference,community", "--width", "4", "--depth",
        "2", "--sizes", "16", "--runs", "1", "--warmup", "0", "--threads", "1",
        "--calibration-count", "1", "--matmul", "64", "--in-process");
    String text = out.toString();
    assertThat(rc).as(text).isZero();
    assertThat(text).as("no case failed").doesNotContain("failed:");
    int reference = text.indexOf("reference U-Net width 4 depth 2");
    int community = text.indexOf("community U-Net width 4 depth 2");
    assertThat(reference).as(text).isNotNegative();
    assertThat(community).as(text).isGreaterThan(reference);
    assertMeasured(text.substring(community), "onnxruntime fp32", 16);
    assertMeasured(text.substring(community), "onnxruntime int8", 16);
    assertMeasured(text.substring(reference, community), "onnxruntime int8", 16);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("bench", "--family", "other")).isEqualTo(2);
    assertThat(err.toString()).contains("--family", "[reference, community]");
  }

  @Test
  void eachCaseRunsInAJvmOfItsOwnByDefault() {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    int rc = cl.execute("bench", "--width", "4", "--depth", "2", "--sizes", "16", "--runs", "1",
        "--warmup", "0", "--threads", "1", "--skip-int8", "--matmul", "64", "--backends",
        "onnxruntime,djl");
    String text = out.toString();
    assertThat(rc).as(text).isZero();
    assertThat(text).contains("Each case ran in a JVM of its own");
    // Real rows, not failure rows: each child JVM ran and reported a latency and a peak RSS.
    assertThat(text).as("no case failed").doesNotContain("failed:");
    assertMeasured(text, "onnxruntime fp32", 16);
    assertMeasured(text, "djl fp32", 16);
    assertThat(text).doesNotContain("pure-java fp32").contains("Backends timed: [onnxruntime, djl]");
  }

  @Test
  void benchCaseNeedsExactlyOneModel() {
    CommandLine cl = FranCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("bench-case", "--size", "16", "--runs", "1", "--warmup", "0"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("needs exactly one of --onnx FILE and --weights FILE --backend NAME");
  }

  @Test
  void unknownBackendIsAUsageErrorNamingThoseFound() {
    CommandLine cl = FranCli.commandLine();
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("bench", "--backends", "tpu", "--matmul", "64")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown --backends 'tpu'; the backends on the class path"
        + " are [onnxruntime, pure-java, djl");
    assertThat(out.toString()).as("nothing timed").doesNotContain("| engine |");
  }

  @Test
  void latencyKeepsThreeSignificantDigitsForSmallModels() {
    assertThat(BenchCommand.latency(0.4531)).isEqualTo("0.453 s");
    assertThat(BenchCommand.latency(7.3694)).isEqualTo("7.369 s");
    assertThat(BenchCommand.latency(0.00231)).isEqualTo("2.31 ms");
  }
}
