package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.export.TestModels;
import org.junit.jupiter.api.Test;

/**
 * How the ONNX Runtime backend applies {@code BackendOptions.options()}: session entries on every
 * device, and a clear error when TensorRT or CUDA is asked for where this build has none. (Their
 * values are checked earlier, in fran-core's {@code BackendOptionsTest}.)
 */
class ProviderOptionsTest {
  private static final UNetConfig CFG = UNetConfig.builder().optBaseWidth(4).optDepth(2)
      .optTrainingResolution(16).build();

  private static byte[] model() throws Exception {
    return OnnxExporter.toBytes(RandomUNetWeights.create(CFG, 2), CFG);
  }

  @Test
  void sessionEntriesApplyOnTheCpu() throws Exception {
    BackendOptions opts = BackendOptions.builder().optDevice(Device.CPU)
        .optOption("session.intra_op.allow_spinning", "0")
        .optOption("session.disable_prepacking", "1").build();
    BackendOptions plain = BackendOptions.builder().optDevice(Device.CPU).build();
    Tensor in = TestModels.input(3, 1, 5, 16, 16);
    try (OnnxGenerator a = OnnxGenerator.open(model(), "m", opts);
        OnnxGenerator b = OnnxGenerator.open(model(), "m", plain)) {
      assertThat(TestModels.maxAbsDiff(a.predict(in), b.predict(in))).isLessThan(1e-6);
    }
  }

  @Test
  void tensorRtWithoutATensorRtBuildSaysSo() throws Exception {
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.TENSOR_RT),
        "this ONNX Runtime build has TensorRT");
    BackendOptions opts = BackendOptions.builder().optDevice(Device.cuda(0)).optTensorRt(true)
        .optOption("tensorrt.trt_fp16_enable", "1").build();
    assertThatThrownBy(() -> OnnxGenerator.open(model(), "m", opts))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("CUDA device cuda:0 was requested but cannot be used: TensorRT was"
            + " requested but this ONNX Runtime build has no TensorRT execution provider");
  }

  @Test
  void cudaOptionsDoNotHideAMissingCudaProvider() throws Exception {
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime build has CUDA");
    BackendOptions opts = BackendOptions.builder().optDevice(Device.cuda(0))
        .optCudnnConvAlgoSearch("heuristic").optGpuMemoryLimit(1L << 30).build();
    assertThatThrownBy(() -> OnnxGenerator.open(model(), "m", opts))
        .isInstanceOf(DeviceUnavailableException.class)
        .hasMessageContaining("has no CUDA execution provider");
  }

  @Test
  void autoWithCudaOptionsFallsBackToTheCpuWithoutAGpu() throws Exception {
    assumeFalse(OrtDevices.autoUsesCuda(), "a usable GPU is present");
    BackendOptions opts = BackendOptions.builder().optCudnnConvAlgoSearch("exhaustive")
        .optCudaMaxWorkspace(true).optTensorRt(true).build();
    try (OnnxGenerator g = OnnxGenerator.open(model(), "m", opts)) {
      assertThat(g.describe()).startsWith("onnxruntime (cpu");
    }
  }
}
