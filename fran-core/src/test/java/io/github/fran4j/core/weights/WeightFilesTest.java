package io.github.fran4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.core.weights.pth.PthReader;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightFilesTest {
  @TempDir Path tmp;

  @Test
  void detectsByContentNotByName() throws Exception {
    // A .pth renamed to .safetensors is still read as a torch.save file, and vice versa.
    Path pth = Files.copy(InteropFixtures.file("unet_t_w4_d2.pth"), tmp.resolve("w.safetensors"));
    assertThat(WeightFiles.detect(pth)).isEqualTo(WeightFiles.Format.PTH);
    assertThat(WeightFiles.read(pth)).isEqualTo(PthReader.read(pth));

    StateDict sd = StateDict.of(Map.of("w", Tensor.ofFloats(new float[] {1.5f, -2f}, 2)));
    Path st = tmp.resolve("w.pth");
    SafeTensors.write(sd, st);
    assertThat(WeightFiles.detect(st)).isEqualTo(WeightFiles.Format.SAFETENSORS);
    assertThat(WeightFiles.isWeightFile(st)).isTrue();
    assertThat(WeightFiles.read(st).tensors()).isEqualTo(sd.tensors());
  }

  @Test
  void pthCheckpointAndSafetensorsCopyGiveTheSameWeights() throws Exception {
    StateDict ckpt = WeightFiles.read(InteropFixtures.file("unet_t_w4_d2_checkpoint.pth"));
    Path st = tmp.resolve("converted.safetensors");
    SafeTensors.write(ckpt, st);
    StateDict back = WeightFiles.read(st);
    assertThat(back.tensors()).isEqualTo(ckpt.tensors());
    assertThat(back.metadata()).containsEntry("pth.epoch", "90");
  }

  @Test
  void onnxUnknownAndMissingFilesSayWhatToDo() throws Exception {
    Path onnx = Files.copy(InteropFixtures.file("unet_t_w4_d2_dynamic.onnx"), tmp.resolve("m.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(WeightFiles.detect(onnx)).isEqualTo(WeightFiles.Format.ONNX);
    assertThat(WeightFiles.isWeightFile(onnx)).isFalse();
    assertThatThrownBy(() -> WeightFiles.read(onnx))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("ONNX model holds a graph")
        .hasMessageContaining("ReAger.load");
    Path text = Files.writeString(tmp.resolve("x.bin"), "{\"not\": 1}", StandardCharsets.UTF_8);
    assertThat(WeightFiles.detect(text)).isEqualTo(WeightFiles.Format.UNKNOWN);
    assertThatThrownBy(() -> WeightFiles.read(text))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unknown weights format");
    assertThatThrownBy(() -> WeightFiles.read(tmp.resolve("nope.pth")))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("nope.pth");
  }

  @Test
  void safetensorsCutInsideItsHeaderGetsTheParsersMessage() throws Exception {
    StateDict sd = StateDict.of(Map.of("w", Tensor.ofFloats(new float[] {1.5f, -2f}, 2)));
    Path full = tmp.resolve("full.safetensors");
    SafeTensors.write(sd, full);
    byte[] bytes = Files.readAllBytes(full);
    Path cut = Files.write(tmp.resolve("cut.safetensors"), java.util.Arrays.copyOf(bytes, 20));
    assertThat(WeightFiles.detect(cut)).isEqualTo(WeightFiles.Format.UNKNOWN);
    assertThatThrownBy(() -> WeightFiles.read(cut))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("cut.safetensors: invalid safetensors file: header length")
        .hasMessageContaining("goes beyond the file's 20 bytes; the file is truncated");
  }

  @Test
  void legacyPthIsRoutedToThePthReaderMessage() throws Exception {
    Path legacy = InteropFixtures.file("hostile/legacy.pth");
    assertThat(WeightFiles.detect(legacy)).isEqualTo(WeightFiles.Format.PTH);
    assertThatThrownBy(() -> WeightFiles.read(legacy))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("legacy (non-zip)");
  }

  @Test
  void modelsHeldInMemoryAreToldApartByContent() throws Exception {
    StateDict sd = StateDict.of(Map.of("w", Tensor.ofFloats(new float[] {1.5f, -2f}, 2)));
    Path st = tmp.resolve("w.bin");
    SafeTensors.write(sd, st);
    byte[] stBytes = Files.readAllBytes(st);
    assertThat(WeightFiles.detect(stBytes)).isEqualTo(WeightFiles.Format.SAFETENSORS);
    assertThat(WeightFiles.read(stBytes, "upload").tensors()).isEqualTo(sd.tensors());

    byte[] pth = Files.readAllBytes(InteropFixtures.file("unet_t_w4_d2.pth"));
    assertThat(WeightFiles.detect(pth)).isEqualTo(WeightFiles.Format.PTH);
    assertThatThrownBy(() -> WeightFiles.read(pth, "upload.pth"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("upload.pth: torch.save (.pth/.pt) weights can only be read from"
            + " a file; load it with ReAger.load(Path)");

    // torch.onnx.export's file starts with protobuf field 1 (ir_version): tag byte 0x08.
    byte[] onnx = Files.readAllBytes(InteropFixtures.file("unet_t_w4_d2_dynamic.onnx"));
    assertThat(WeightFiles.detect(onnx)).isEqualTo(WeightFiles.Format.ONNX);
    assertThatThrownBy(() -> WeightFiles.read(onnx, "m"))
        .isInstanceOf(ModelFormatException.class).hasMessageStartingWith("m: an ONNX model holds");

    byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(WeightFiles.detect(text)).isEqualTo(WeightFiles.Format.UNKNOWN);
    assertThatThrownBy(() -> WeightFiles.read(text, "x"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("x: unknown weights format; expected the bytes of a .safetensors file");

    Path nan = tmp.resolve("nan.bin");
    SafeTensors.write(StateDict.of(Map.of("w", Tensor.ofFloats(new float[] {0f, Float.NaN}, 2))),
        nan);
    assertThatThrownBy(() -> WeightFiles.read(Files.readAllBytes(nan), "nan-upload"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("nan-upload: tensor 'w' holds 1 non-finite value(s)");
  }
}
