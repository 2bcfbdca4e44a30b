package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Int8QuantizerTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @Test
  void quantizedModelIsQdqAndCloseToFp32() throws Exception {
    for (Upsampling up : Upsampling.values()) {
      UNetConfig cfg = UNetConfig.builder().optBaseWidth(8).optDepth(2).optUpsampling(up)
          .optBlurPool(up == Upsampling.BILINEAR).optTrainingResolution(32).build();
      byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
      List<Tensor> calib = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calib.add(TestModels.input(100 + i, 1, 5, 32, 32));
      }
      byte[] int8 = Int8Quantizer.quantize(fp32, calib);
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(int8);
      assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
          .contains("QuantizeLinear", "DequantizeLinear");
      assertThat(m.getGraph().getInitializerList())
          .filteredOn(t -> t.getDataType() == OnnxMl.TensorProto.DataType.INT8.getNumber())
          .isNotEmpty();
      assertThat(m.getMetadataPropsList()).anyMatch(
          e -> e.getKey().equals(OnnxModelFormat.PRECISION_KEY) && e.getValue().equals("int8-qdq"));
      try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", CPU);
          OnnxGenerator b = OnnxGenerator.open(int8, "int8", CPU)) {
        // Held-out input, a size that is not the calibration size.
        Tensor in = TestModels.input(999, 1, 5, 24, 40);
        Tensor ref = a.predict(in);
        Tensor q = b.predict(in);
        double psnr = Int8Quantizer.psnr(ref, q);
        double range = 0;
        for (float v : ref.toFloatArray()) {
          range = Math.max(range, Math.abs(v));
        }
        // Random weights give deltas of about +-range; int8 noise is ~1% of that.
        assertThat(psnr).as("%s: PSNR (output range %s)", up, range)
            .isGreaterThan(20 * Math.log10(1 / range) + 30);
        assertThat(TestModels.maxAbsDiff(ref, q)).isGreaterThan(0);
      }
    }
  }

  @Test
  void psnrMatchesHandComputedValue() {
    Tensor a = Tensor.ofFloats(new float[] {0, 0, 0, 0}, 1, 1, 2, 2);
    Tensor b = Tensor.ofFloats(new float[] {0.1f, 0, 0, 0}, 1, 1, 2, 2);
    // MSE = 0.01 / 4 = 0.0025 -> 10 log10(400) = 26.0206 dB
    assertThat(Int8Quantizer.psnr(a, b)).isCloseTo(26.0206, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(Int8Quantizer.psnr(a, a)).isInfinite();
  }

  @Test
  void calibrationImagesTakeTheAgeFromTheFolderName(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("train/40/0001.png");
    Files.createDirectories(f.getParent());
    BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 6; x++) {
        img.setRGB(x, y, 0xff8000);
      }
    }
    ImageIO.write(img, "png", f.toFile());
    List<Tensor> in = CalibrationImages.load(dir, 4, 10, 1);
    assertThat(in).hasSize(1);
    float[] v = in.get(0).toFloatArray();
    assertThat(in.get(0).shape()).containsExactly(1, 5, 4, 4);
    assertThat(v[0]).isEqualTo(1f);
    assertThat(v[16]).isEqualTo(128 / 255f);
    assertThat(v[32]).isEqualTo(0f);
    assertThat(v[48]).isEqualTo(0.4f);
    assertThat(v[64]).isBetween(0.1f, 0.85f);
  }

  @Test
  void calibrationFolderProblemsAreClear(@TempDir Path dir) {
    assertThatThrownBy(() -> CalibrationImages.load(dir.resolve("nope"), 8, 4, 1))
        .hasMessageContaining("calibration folder does not exist");
    assertThatThrownBy(() -> CalibrationImages.load(dir, 8, 4, 1))
        .hasMessageContaining("no .jpg, .jpeg or .png images under calibration folder");
  }

  @Test
  void seedDataCalibrates() throws Exception {
    Path seed = Path.of(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    assumeTrue(Files.isDirectory(seed), "seed data absent at " + seed + "; skipping");
    List<Tensor> in = CalibrationImages.load(seed, 32, 6, 1);
    assertThat(in).hasSize(6);
    float age = in.get(0).toFloatArray()[3 * 32 * 32];
    assertThat(age).isIn(0.10f, 0.15f, 0.20f);
  }
}
