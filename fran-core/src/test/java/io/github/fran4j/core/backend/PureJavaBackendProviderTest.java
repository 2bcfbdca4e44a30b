package io.github.fran4j.core.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.BackendProvider;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests {@link PureJavaBackendProvider} and its generator. */
class PureJavaBackendProviderTest {
  private final PureJavaBackendProvider provider = new PureJavaBackendProvider();

  static Path fixture(String name) {
    try {
      return Path.of(
          PureJavaBackendProviderTest.class.getResource("/fixtures/unet/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void isRegisteredAsAService() {
    List<String> names = new ArrayList<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      names.add(p.name());
    }
    assertThat(names).contains("pure-java");
    assertThat(provider.rank()).isEqualTo(10);
    assertThat(provider.formats()).contains(".safetensors").contains(".pth");
  }

  @Test
  void supportsSafetensorsByNameAndHeader(@TempDir Path dir) throws IOException {
    assertThat(provider.supports(fixture("transposed_d2_w4.safetensors"))).isTrue();
    Path renamed = dir.resolve("model.onnx");
    Files.copy(fixture("transposed_d2_w4.safetensors"), renamed);
    assertThat(provider.supports(renamed)).as("recognized by content, not by name").isTrue();
    Path garbage = dir.resolve("garbage.safetensors");
    Files.writeString(garbage, "this is not a safetensors file at all");
    assertThat(provider.supports(garbage)).as("implausible header length").isFalse();
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {2, 0, 0});
    assertThat(provider.supports(tiny)).as("too short").isFalse();
    Path noBrace = dir.resolve("nobrace.safetensors");
    byte[] b = new byte[16];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8).put((byte) '[');
    Files.write(noBrace, b);
    assertThat(provider.supports(noBrace)).as("header not a JSON object").isFalse();
    assertThat(provider.supports(dir.resolve("absent.safetensors"))).isFalse();
    Path folder = Files.createDirectory(dir.resolve("folder.safetensors"));
    assertThat(provider.supports(folder)).isFalse();
  }

  @Test
  void predictsWhatPyTorchComputes() throws IOException {
    StateDict io = SafeTensors.read(fixture("transposed_d2_w4.io.safetensors"));
    Tensor input = io.get("input.16x16");
    Tensor expected = io.get("output.16x16");
    try (Generator g =
        provider.open(fixture("transposed_d2_w4.safetensors"), BackendOptions.defaults())) {
      assertThat(g.describe()).isEqualTo("pure-java (cpu)");
      assertThat(g.sizeMultiple()).isEqualTo(4);
      assertThat(g.resolution()).isEqualTo(16);
      assertThat(g.config()).hasValueSatisfying(c -> {
        assertThat(c.baseWidth()).isEqualTo(4);
        assertThat(c.upsampling()).isEqualTo(Upsampling.TRANSPOSED);
      });
      Tensor out = g.predict(input);
      assertThat(out.shape()).containsExactly(2, 3, 16, 16);
      float[] a = out.toFloatArray();
      float[] e = expected.toFloatArray();
      for (int i = 0; i < a.length; i++) {
        assertThat(Math.abs(a[i] - e[i])).as("element %s", i).isLessThan(1e-4f);
      }
    }
  }

  @Test
  void privateThreadPoolGivesTheSameResult() throws IOException {
    Tensor input = SafeTensors.read(fixture("bilinear_d3_w4.io.safetensors")).get("input.16x16");
    Path model = fixture("bilinear_d3_w4.safetensors");
    Tensor common;
    try (Generator g = provider.open(model, BackendOptions.defaults())) {
      common = g.predict(input);
    }
    try (Generator g = provider.open(model, BackendOptions.builder().optThreads(2)
        .optDevice(Device.CPU).build())) {
      assertThat(g.predict(input)).isEqualTo(common);
    }
    assertThat(common)
        .isEqualTo(ReferenceUNet.create(SafeTensors.read(model)).forward(input));
  }

  @Test
  void rejectsSizesThatAreNotMultiples() throws IOException {
    try (Generator g =
        provider.open(fixture("transposed_d2_w4.safetensors"), BackendOptions.defaults())) {
      assertThatThrownBy(() -> g.predict(Tensor.zeros(1, 5, 17, 16)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[1, 5, 17, 16]")
          .hasMessageContaining("multiples of 2^depth = 4");
    }
  }

  @Test
  void errorsInsideThePrivatePoolKeepTheirTypeAndMessage() throws IOException {
    // Depth 3 with blur-pool needs at least 12 pixels; 8 is a multiple of 8 but too small.
    try (Generator g = provider.open(fixture("transposed_d3_w4_blur.safetensors"),
        BackendOptions.builder().optThreads(2).build())) {
      assertThatThrownBy(() -> g.predict(Tensor.zeros(1, 5, 8, 8)))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("input [1, 5, 8, 8] is too small");
    }
  }

  @Test
  void closeIsIdempotentAndPredictAfterCloseFails() throws IOException {
    Generator g = provider.open(fixture("transposed_d2_w4.safetensors"),
        BackendOptions.builder().optThreads(1).build());
    g.close();
    g.close();
    assertThatThrownBy(() -> g.predict(Tensor.zeros(1, 5, 16, 16)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed pure-java generator");
  }

  @Test
  void cudaIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> provider.open(fixture("transposed_d2_w4.safetensors"),
            BackendOptions.builder().optDevice(Device.cuda(0)).build()))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("pure-java backend is CPU-only")
        .hasMessageContaining("cuda:0");
  }

  @Test
  void badFilesGiveModelFormatExceptionsNamingTheFile(@TempDir Path dir) throws IOException {
    Path truncated = dir.resolve("truncated.safetensors");
    byte[] full = Files.readAllBytes(fixture("transposed_d2_w4.safetensors"));
    Files.write(truncated, java.util.Arrays.copyOf(full, full.length - 100));
    assertThatThrownBy(() -> provider.open(truncated, BackendOptions.defaults()))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(truncated.toString())
        .hasMessageContaining("truncated");

    Path notUnet = dir.resolve("other.safetensors");
    SafeTensors.write(StateDict.builder().put("fc.weight", Tensor.zeros(2, 2)).build(), notUnet);
    assertThatThrownBy(() -> provider.open(notUnet, BackendOptions.defaults()))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(notUnet.toString())
        .hasMessageContaining("not a FRAN U-Net");

    Path wrongShapes = dir.resolve("wrong.safetensors");
    StateDict w = SafeTensors.read(fixture("transposed_d2_w4.safetensors"));
    SafeTensors.write(w.toBuilder().put("outc.conv.bias", Tensor.zeros(4)).build(), wrongShapes);
    assertThatThrownBy(() -> provider.open(wrongShapes, BackendOptions.defaults()))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("outc.conv.bias is [4], expected [3]");
  }

  @Test
  void opensWeightsWithoutMetadataByInference(@TempDir Path dir) throws IOException {
    StateDict w = SafeTensors.read(fixture("bilinear_d3_w4.safetensors"));
    StateDict bare = StateDict.of(w.tensors());
    Path file = dir.resolve("bare.safetensors");
    SafeTensors.write(bare, file);
    assertThat(provider.supports(file)).isTrue();
    try (Generator g = provider.open(file, BackendOptions.defaults())) {
      UNetConfig c = g.config().orElseThrow();
      assertThat(c.upsampling()).isEqualTo(Upsampling.BILINEAR);
      assertThat(c.depth()).isEqualTo(3);
      assertThat(c.baseWidth()).isEqualTo(4);
    }
  }
}
