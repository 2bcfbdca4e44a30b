package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.BackendProvider;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.backend.OnnxBackendProvider;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import io.github.fran4j.onnx.export.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGeneratorTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();
  private static UNetConfig cfg;
  private static StateDict weights;
  private static byte[] model;

  @BeforeAll
  static void tinyModel() throws Exception {
    cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(16).build();
    weights = RandomUNetWeights.create(cfg, 11);
    model = OnnxExporter.toBytes(weights, cfg);
  }

  @Test
  void truncatedFileIsAModelFormatError(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("cut.onnx");
    Files.write(f, Arrays.copyOf(model, model.length / 2));
    assertThatThrownBy(() -> OnnxGenerator.open(f, CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a valid ONNX model: " + f)
        .hasMessageContaining("truncated, corrupt or not ONNX");
  }

  @Test
  void nonOnnxFileIsAModelFormatError(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("notes.onnx");
    Files.write(f, "this is a text file, not a protobuf\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> OnnxGenerator.open(f, CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a valid ONNX model");
  }

  @Test
  void missingFileSaysWhere(@TempDir Path dir) {
    assertThatThrownBy(() -> OnnxGenerator.open(dir.resolve("none.onnx"), CPU))
        .isInstanceOf(java.io.FileNotFoundException.class)
        .hasMessageContaining("none.onnx");
  }

  @Test
  void wrongChannelCountSaysFoundAndExpected() {
    byte[] threeChannels = TestModels.foreignConv("x", "y", 3, 3);
    assertThatThrownBy(() -> OnnxGenerator.open(threeChannels, "rgb-only", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("input 'x' is float [-1, 3, -1, -1]")
        .hasMessageContaining("3 channels")
        .hasMessageContaining("expected float [N, 5, H, W]");
    byte[] fourOut = TestModels.foreignConv("x", "y", 5, 4);
    assertThatThrownBy(() -> OnnxGenerator.open(fourOut, "four-out", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("output 'y'")
        .hasMessageContaining("expected float [N, 3, H, W]");
  }

  @Test
  void wrongRankSaysFoundAndExpected() {
    assertThatThrownBy(() -> OnnxGenerator.open(TestModels.rank3(), "rank3", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("rank 3")
        .hasMessageContaining("expected float [N, 5, H, W] (rank 4");
  }

  @Test
  void unknownFormatVersionIsRejected() throws Exception {
    byte[] v2 = TestModels.withMetadata(weights, cfg, OnnxModelFormat.FORMAT_VERSION_KEY, "2");
    assertThatThrownBy(() -> OnnxGenerator.open(v2, "future.onnx", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unsupported FRAN ONNX format version '2' in future.onnx, expected 1");
  }

  @Test
  void anotherAgeScaleIsRejected() throws Exception {
    byte[] years = TestModels.withMetadata(weights, cfg, OnnxModelFormat.AGE_SCALE_KEY, "1");
    assertThatThrownBy(() -> OnnxGenerator.open(years, "years.onnx", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("metadata fran.age_scale in years.onnx is '1': the model expects "
            + "ages as age / 1, but this SDK feeds age / 100");
    // The scale the exporter writes is accepted.
    byte[] same = TestModels.withMetadata(weights, cfg, OnnxModelFormat.AGE_SCALE_KEY, "100");
    OnnxGenerator.open(same, "same.onnx", CPU).close();
  }

  @Test
  void foreignModelNamesAreReadFromTheModel() throws Exception {
    // out[o] = sum_i (o + 1 + i / 10) * in[i], computed by hand below.
    try (OnnxGenerator g = OnnxGenerator.open(TestModels.foreignConv("x", "y", 5, 3), "f", CPU)) {
      assertThat(g.inputName()).isEqualTo("x");
      assertThat(g.outputName()).isEqualTo("y");
      assertThat(g.config()).isEmpty();
      assertThat(g.resolution()).isEqualTo(256);
      float[] in = {1, 2, 3, 4, 5};
      float[] out = g.predict(Tensor.ofFloats(in, 1, 5, 1, 1)).toFloatArray();
      // o=0: 1*1 + 1.1*2 + 1.2*3 + 1.3*4 + 1.4*5 = 19; each o adds 15 (sum of inputs).
      assertThat(out).containsExactly(new float[] {19f, 34f, 49f}, org.assertj.core.data.Offset
          .offset(1e-5f));
    }
  }

  @Test
  void explicitCudaOnThisMachineFailsClearly() {
    assumeTrue(!cudaWorks(), "a CUDA GPU is usable here; this test is for CPU-only machines");
    BackendOptions cuda = BackendOptions.builder().optDevice(Device.cuda(0)).build();
    var thrown = assertThatThrownBy(() -> OnnxGenerator.open(model, "m", cuda))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("CUDA device cuda:0 was requested but cannot be used");
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      thrown.hasMessageContaining("no CUDA execution provider").hasMessageContaining("onnxruntime_gpu");
    }
  }

  @Test
  void autoFallsBackToCpuWithoutAGpu() throws Exception {
    assumeTrue(!cudaWorks(), "a CUDA GPU is usable here");
    try (OnnxGenerator g = OnnxGenerator.open(model, "m", BackendOptions.defaults())) {
      assertThat(g.describe()).startsWith("onnxruntime (cpu");
    }
  }

  private static boolean cudaWorks() {
    return OrtDevices.autoUsesCuda();
  }

  @Test
  void badOptionsAndInputsAreCallerErrors() throws Exception {
    BackendOptions bad = BackendOptions.builder().optOptimization("fastest").build();
    assertThatThrownBy(() -> OnnxGenerator.open(model, "m", bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown optimization level 'fastest', expected one of [none, basic,"
            + " extended, all]");
    try (OnnxGenerator g = OnnxGenerator.open(model, "m", CPU)) {
      assertThatThrownBy(() -> g.predict(Tensor.zeros(1, 3, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("input has shape [1, 3, 8, 8], expected [N, 5, H, W]");
      assertThatThrownBy(() -> g.predict(Tensor.zeros(5, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeIsIdempotentAndPredictAfterCloseFails() throws Exception {
    OnnxGenerator g = OnnxGenerator.open(model, "m", CPU);
    g.close();
    g.close();
    assertThatThrownBy(() -> g.predict(TestModels.input(1, 1, 5, 8, 8)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void sixteenThreadsGiveTheSamePixelsAsSerialCalls() throws Exception {
    try (OnnxGenerator g = OnnxGenerator.open(model, "m", CPU)) {
      int n = 48;
      List<Tensor> inputs = new ArrayList<>();
      List<Tensor> serial = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Tensor in = TestModels.input(i, 1, 5, 12 + i % 5, 16);
        inputs.add(in);
        serial.add(g.predict(in));
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Tensor>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Tensor in = inputs.get(i);
          futures.add(pool.submit(() -> g.predict(in)));
        }
        for (int i = 0; i < n; i++) {
          assertThat(futures.get(i).get()).as("call %s", i).isEqualTo(serial.get(i));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void rssStaysFlatOverAThousandCalls() throws Exception {
    Path status = Path.of("/proc/self/status");
    assumeTrue(Files.isReadable(status), "needs /proc/self/status (Linux) to read the RSS");
    try (OnnxGenerator g = OnnxGenerator.open(model, "m", CPU)) {
      Tensor in = TestModels.input(5, 1, 5, 16, 16);
      for (int i = 0; i < 200; i++) {
        g.predict(in);
      }
      System.gc();
      long before = rssKb(status);
      for (int i = 0; i < 1000; i++) {
        g.predict(in);
      }
      System.gc();
      long after = rssKb(status);
      // A leak of one input/output pair per call would be ~ 8 KB x 1000 = 8 MB plus native
      // tensors; 24 MB leaves room for JIT and GC noise.
      assertThat(after - before).as("RSS growth in KB").isLessThan(24 * 1024);
    }
  }

  private static long rssKb(Path status) throws Exception {
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmRSS line");
  }

  @Test
  void providerIsRegisteredAndRankedAbovePureJava() {
    OnnxBackendProvider found = null;
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (p instanceof OnnxBackendProvider) {
        found = (OnnxBackendProvider) p;
      }
    }
    assertThat(found).isNotNull();
    assertThat(found.supports(Path.of("m.ONNX"))).isTrue();
    assertThat(found.supports(Path.of("m.onnx.txt"))).isFalse();
    assertThat(found.rank()).isGreaterThan(io.github.fran4j.core.backend.PureJavaBackendProvider.RANK);
  }
}
