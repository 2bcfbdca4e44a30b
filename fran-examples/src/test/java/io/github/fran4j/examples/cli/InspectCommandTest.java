package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void printsConfigMetadataAndTensorsOfAPytorchCheckpoint() {
    int rc = run("inspect", InteropFixtures.file("unet_t_w4_d2_checkpoint.pth").toString());
    assertThat(rc).as(err.toString()).isZero();
    String s = out.toString();
    assertThat(s)
        .contains("format:     torch.save (zip)")
        .contains("\"base_width\":4")
        .contains("\"depth\":2")
        .contains("\"upsampling\":\"transposed\"")
        .contains("pth.epoch = 90")
        .contains("pth.stripped_prefix = module.")
        // The 3x3 conv of inc: 4 output channels, 5 input channels.
        .containsPattern("inc\\.double_conv\\.0\\.weight\\s+F32\\s+\\[4, 5, 3, 3\\]")
        .containsPattern("inc\\.double_conv\\.1\\.num_batches_tracked\\s+I64\\s+\\[\\]")
        .containsPattern("up1\\.up\\.weight\\s+F32\\s+\\[16, 8, 2, 2\\]");
  }

  @Test
  void reportsTheCommunityFamilyWidthAndParameterCountOfAPlainStateDict() {
    int rc = run("inspect", "--no-tensors",
        io.github.fran4j.core.testing.Fixtures.communityWeightsFile("community_w4").toString());
    assertThat(rc).as(err.toString()).isZero();
    // 121807: PyTorch's parameter count, printed by make_community_fixtures.py.
    assertThat(out.toString())
        .contains("format:     torch.save (zip)")
        .contains("family:     community")
        .contains("width:      4")
        .contains("parameters: 121807 trainable");
  }

  @Test
  void printsSafetensorsConvertedFromAPytorchCheckpoint() throws Exception {
    Path st = tmp.resolve("model.safetensors");
    SafeTensors.write(
        WeightFiles.read(InteropFixtures.file("unet_t_w4_d2_checkpoint.pth")), st);
    int rc = run("inspect", st.toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("format:     safetensors")
        .contains("\"base_width\":4")
        .contains("pth.epoch = 90")
        .containsPattern("up2\\.conv\\.double_conv\\.0\\.weight\\s+F32\\s+\\[4, 8, 3, 3\\]");
  }

  @Test
  void printsFloat16DtypeAndBilinearConfig() {
    int rc = run("inspect", InteropFixtures.file("unet_b_w4_d3_f16.pth").toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("\"upsampling\":\"bilinear\"")
        .containsPattern("outc\\.conv\\.weight\\s+F16\\s+\\[3, 4, 1, 1\\]");
  }

  @Test
  void printsInputsOutputsAndSymbolicAxesOfATorchOnnxExport() {
    int rc = run("inspect", "--no-tensors",
        InteropFixtures.file("unet_t_w4_d2_dynamic.onnx").toString());
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("producer:   pytorch")
        .contains("ai.onnx:13")
        .contains("input:      x  FLOAT [n, 5, h, w]")
        .contains("output:     y  FLOAT [n, 3, h, w]")
        .contains("config:     not stated");
    out.getBuffer().setLength(0);
    assertThat(run("inspect", "--no-tensors",
        InteropFixtures.file("unet_b_w4_d3_fixed.onnx").toString())).isZero();
    assertThat(out.toString()).contains("input:      image_and_ages  FLOAT [1, 5, 16, 16]");
  }

  @Test
  void hostileAndUnknownFilesFailWithTheReason() throws Exception {
    assertThat(run("inspect", InteropFixtures.file("hostile/os_system.pth").toString()))
        .isEqualTo(ExitCodes.MODEL_FORMAT);
    assertThat(err.toString()).startsWith("fran inspect: ").contains("'os.system'")
        .doesNotContain("\tat ");
    Path text = Files.writeString(tmp.resolve("notes.txt"), "hello", StandardCharsets.UTF_8);
    assertThat(run("inspect", text.toString())).isEqualTo(ExitCodes.MODEL_FORMAT);
    assertThat(err.toString()).contains("unknown weights format");
    assertThat(run("inspect", tmp.resolve("missing.pth").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no file at");
  }
}
