package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fran export --checkpoint X.pth}: the ONNX file gives PyTorch's output. */
class ExportPthTest {
  @Test
  void exportsThePytorchCheckpointDictToAnOnnxFileMatchingPytorch(@TempDir Path dir)
      throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    Path onnx = dir.resolve("fran.onnx");
    int rc = cl.execute("export", "--checkpoint",
        InteropFixtures.file("unet_t_w4_d2_checkpoint.pth").toString(), "--out", onnx.toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("wrote", "fp32");
    JsonObject model = InteropFixtures.models().get(0);
    assertThat(model.get("file").getAsString()).isEqualTo("unet_t_w4_d2.pth");
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    try (OnnxGenerator g = OnnxGenerator.open(onnx, BackendOptions.defaults())) {
      assertThat(InteropFixtures.maxAbsDiff(
              g.predict(input), InteropFixtures.tensor(model.getAsJsonObject("output"))))
          .isLessThanOrEqualTo(1e-4);
    }
  }
}
