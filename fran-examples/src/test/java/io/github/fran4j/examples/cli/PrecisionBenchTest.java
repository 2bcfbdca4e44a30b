package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fran bench --precision ... --batch ...} on the CPU: every case a row, fp16 measured. */
class PrecisionBenchTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void everySizeBatchAndPrecisionIsARowWithFp16PsnrAgainstFp32(@TempDir Path dir)
      throws Exception {
    Path table = dir.resolve("gpu.md");
    int rc = run("bench", "--device", "cpu", "--precision", "fp32,fp16", "--batch", "1,3",
        "--sizes", "16,32", "--width", "4", "--depth", "2", "--runs", "1", "--warmup", "0",
        "--threads", "1", "--out", table.toString());
    String text = out.toString();
    assertThat(rc).as(err.toString()).isZero();
    for (String size : new String[] {"16", "32"}) {
      for (String batch : new String[] {"1", "3"}) {
        assertThat(text).containsPattern("\\| cpu \\| fp32 \\| " + size + " \\| " + batch
            + " \\| [0-9.]+ m?s \\| [0-9.]+ \\| [0-9.]+ GB RSS \\| \\(reference\\) \\|");
        Matcher m = Pattern.compile("\\| cpu \\| fp16 \\| " + size + " \\| " + batch
            + " \\| [0-9.]+ m?s \\| [0-9.]+ \\| [0-9.]+ GB RSS \\| ([0-9.]+) dB \\|").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        // Random weights give deltas of order 1: fp16 rounding stays far below them.
        assertThat(Double.parseDouble(m.group(1))).isBetween(40.0, 150.0);
      }
    }
    assertThat(Files.readString(table)).contains("| device | precision | size | batch |");
  }

  @Test
  void badValuesAreUsageErrorsAndAMissingGpuIsOneLine() {
    assertThat(run("bench", "--precision", "bf16")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown --precision 'bf16', expected fp32, fp16 or int8");
    assertThat(run("bench", "--batch", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--batch and --runs must be >= 1");
    assertThat(run("bench", "--batch", "1", "--option", "cuda.cudnn_conv_algo_search=fast"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unknown cuDNN convolution algorithm search 'fast'");
    Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA));
    err.getBuffer().setLength(0);
    assertThat(run("bench", "--device", "cuda", "--precision", "fp16", "--sizes", "16",
        "--width", "4", "--depth", "2", "--runs", "1", "--warmup", "0"))
        .isEqualTo(ExitCodes.DEVICE_UNAVAILABLE);
    assertThat(err.toString()).startsWith("fran bench: CUDA device cuda:0 was requested but"
        + " cannot be used").doesNotContain("\tat ");
  }
}
