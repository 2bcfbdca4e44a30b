package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * fp16 on a trained model, end to end through the CLI: a tiny generator trained for three steps on
 * the seed data's training identities, exported with {@code --precision fp16} calibrated on them,
 * measured on the held-out identities of {@code val}.
 */
class Fp16TrainedModelTest {
  @TempDir Path tmp;

  @Test
  void fp16OfATrainedModelReaches45DbOnHeldOutIdentities() {
    Path seed = Path.of(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    assumeTrue(Files.isDirectory(seed.resolve("train")) && Files.isDirectory(seed.resolve("val")),
        "seed data absent at " + seed + "; skipping");
    Path run = tmp.resolve("run");
    String[] train = {"train", "--data", seed.resolve("train").toString(), "--out", run.toString(),
        "--size", "32", "--width", "4", "--d-width", "2", "--batch-identities", "1",
        "--workers", "0", "--no-progress", "--seed", "1", "--epochs", "1", "--batches-per-epoch", "3"};
    StringWriter err = new StringWriter();
    assertThat(cli(err).execute(train)).as(err.toString()).isZero();
    StringWriter out = new StringWriter();
    CommandLine export = cli(err);
    export.setOut(new PrintWriter(out));
    int rc = export.execute("export", "--checkpoint", run.resolve("model.safetensors").toString(),
        "--out", tmp.resolve("g16.onnx").toString(), "--precision", "fp16", "--calibration",
        seed.resolve("train").toString(), "--validation", seed.resolve("val").toString(),
        "--target-psnr", "45");
    assertThat(rc).as(err.toString()).isZero();
    Matcher m = Pattern.compile("fp16 vs fp32 delta PSNR on (\\d+) held-out images: ([0-9.]+) dB")
        .matcher(out.toString());
    assertThat(m.find()).as(out.toString()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isGreaterThanOrEqualTo(2);
    assertThat(Double.parseDouble(m.group(2))).isGreaterThanOrEqualTo(45);
    assertThat(out.toString()).doesNotContain("NOT met");
  }

  private static CommandLine cli(StringWriter err) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return cl;
  }
}
