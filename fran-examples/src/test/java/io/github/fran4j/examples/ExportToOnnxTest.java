package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exports a real PyTorch checkpoint (made by torch.save) and checks against PyTorch's output. */
class ExportToOnnxTest {
  @TempDir Path tmp;

  @Test
  void pthToFp32AndCalibratedInt8() throws Exception {
    Path calibration = tmp.resolve("faces");
    for (int i = 0; i < 6; i++) {
      TinyModel.writePng(TinyModel.image(48, 40, 100 + i), calibration.resolve("f" + i + ".png"));
    }
    Path out = tmp.resolve("models");

    ExportToOnnx.main(new String[] {
        InteropFixtures.file("unet_t_w4_d2_checkpoint.pth").toString(), out.toString(),
        calibration.toString()});

    JsonObject model = InteropFixtures.models().get(0);
    assertThat(model.get("file").getAsString()).isEqualTo("unet_t_w4_d2.pth");
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    Tensor pytorch = InteropFixtures.tensor(model.getAsJsonObject("output"));
    BackendOptions cpu = BackendOptions.builder().optDevice(Device.CPU).build();
    try (OnnxGenerator fp32 = OnnxGenerator.open(out.resolve("model.onnx"), cpu);
        OnnxGenerator int8 = OnnxGenerator.open(out.resolve("model-int8.onnx"), cpu)) {
      Tensor a = fp32.predict(input);
      assertThat(InteropFixtures.maxAbsDiff(a, pytorch)).isLessThanOrEqualTo(1e-4);
      // int8 on a held-out image like the calibration ones: close to fp32, not the same numbers.
      Tensor held = CalibrationImages.toInput(TinyModel.image(48, 40, 200), 256, 30, 70);
      Tensor fp32Delta = fp32.predict(held);
      Tensor int8Delta = int8.predict(held);
      assertThat(InteropFixtures.maxAbsDiff(fp32Delta, int8Delta)).isGreaterThan(0);
      assertThat(Int8Quantizer.psnr(fp32Delta, int8Delta)).isGreaterThan(25);
    }
  }

  @Test
  void withoutCalibrationOnlyFp32() throws Exception {
    Path checkpoint = TinyModel.write(tmp);
    Path out = tmp.resolve("models");
    ExportToOnnx.main(new String[] {checkpoint.toString(), out.toString()});
    assertThat(out.resolve("model.onnx")).isNotEmptyFile();
    assertThat(out.resolve("model-int8.onnx")).doesNotExist();
  }
}
