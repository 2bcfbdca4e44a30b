package io.github.fran4j.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ReAger;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CUDA, TensorRT and pass-through options: normalized values and one specific error per mistake. */
class BackendOptionsTest {
  @Test
  void typedSettersNormalizeIntoTheNamespacedOptions() {
    BackendOptions o = BackendOptions.builder().optDevice(Device.cuda(1))
        .optCudnnConvAlgoSearch("Heuristic").optCudaMaxWorkspace(true)
        .optGpuMemoryLimit(2L << 30).optOption("cuda.arena_extend_strategy", "kSameAsRequested")
        .optOption("session.intra_op.allow_spinning", "0").optTensorRt(true)
        .optOption("tensorrt.trt_fp16_enable", "1").build();
    assertThat(o.options()).containsExactly(
        Map.entry("cuda.cudnn_conv_algo_search", "HEURISTIC"),
        Map.entry("cuda.cudnn_conv_use_max_workspace", "1"),
        Map.entry("cuda.gpu_mem_limit", "2147483648"),
        Map.entry("cuda.arena_extend_strategy", "kSameAsRequested"),
        Map.entry("session.intra_op.allow_spinning", "0"),
        Map.entry("tensorrt.trt_fp16_enable", "1"));
    assertThat(o.options(BackendOptionKeys.CUDA)).containsOnlyKeys("cudnn_conv_algo_search",
        "cudnn_conv_use_max_workspace", "gpu_mem_limit", "arena_extend_strategy");
    assertThat(o.options(BackendOptionKeys.SESSION))
        .containsExactly(Map.entry("intra_op.allow_spinning", "0"));
    assertThat(o.tensorRt()).isTrue();
    assertThat(o.toBuilder().build().options()).isEqualTo(o.options());
    assertThat(o.toString()).contains("gpu_mem_limit=2147483648", "tensorRt");
    // Unknown names inside a namespace pass through for the backend to judge.
    assertThat(BackendOptions.builder().optOption("cuda.do_copy_in_default_stream", " 1 ").build()
        .options()).containsExactly(Map.entry("cuda.do_copy_in_default_stream", "1"));
  }

  @Test
  void everyBadValueHasItsOwnMessage() {
    BackendOptions.Builder b = BackendOptions.builder();
    assertThatThrownBy(() -> b.optCudnnConvAlgoSearch("fast"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown cuDNN convolution"
            + " algorithm search 'fast', expected one of [exhaustive, heuristic, default]");
    assertThatThrownBy(() -> b.optGpuMemoryLimit(0)).hasMessage(
        "GPU memory limit must be a positive number of bytes, got 0");
    assertThatThrownBy(() -> b.optOption("cuda.gpu_mem_limit", "lots")).hasMessage(
        "GPU memory limit (cuda.gpu_mem_limit) must be a positive number of bytes, got 'lots'");
    assertThatThrownBy(() -> b.optOption("cuda.gpu_mem_limit", "-5")).hasMessageContaining(
        "got '-5'");
    assertThatThrownBy(() -> b.optOption("cuda.cudnn_conv_use_max_workspace", "yes"))
        .hasMessage("cuda.cudnn_conv_use_max_workspace must be 0 or 1, got 'yes'");
    assertThatThrownBy(() -> b.optOption("cuda.arena_extend_strategy", "grow")).hasMessage(
        "cuda.arena_extend_strategy must be one of [kNextPowerOfTwo, kSameAsRequested], got 'grow'");
    assertThatThrownBy(() -> b.optOption("cuda.device_id", "1")).hasMessage(
        "set the CUDA device with optDevice(Device.cuda(N)) (CLI: --device cuda:N), not"
            + " cuda.device_id");
    assertThatThrownBy(() -> b.optOption("intra_op_threads", "2")).hasMessageStartingWith(
        "unknown backend option 'intra_op_threads': keys start with cuda. (CUDA execution"
            + " provider), tensorrt. (TensorRT) or session.");
    assertThatThrownBy(() -> b.optOption("cuda.", "1"))
        .hasMessage("backend option key 'cuda.' names no option");
    assertThatThrownBy(() -> b.optOption("cuda.gpu_mem_limit", " "))
        .hasMessage("backend option 'cuda.gpu_mem_limit' has no value");
    assertThatThrownBy(() -> b.optOption(null, "1"))
        .hasMessage("backend option key is null or blank");
    // Nothing bad was kept.
    assertThat(b.build().options()).isEmpty();
  }

  @Test
  void gpuOptionsOnTheCpuAndTensorRtKeysWithoutTensorRtAreRejectedAtBuild() {
    assertThatThrownBy(() -> BackendOptions.builder().optDevice(Device.CPU)
        .optGpuMemoryLimit(1 << 30).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GPU options [cuda.gpu_mem_limit] need a CUDA device (or auto), but the device"
            + " is cpu");
    assertThatThrownBy(() -> BackendOptions.builder().optDevice(Device.CPU).optTensorRt(true)
        .build()).hasMessage("TensorRT needs a CUDA device (or auto), but the device is cpu");
    assertThatThrownBy(() -> BackendOptions.builder().optOption("tensorrt.trt_fp16_enable", "1")
        .build()).hasMessage("tensorrt.trt_fp16_enable is set but TensorRT is not enabled"
            + " (optTensorRt(true))");
    // Session entries apply to every device.
    assertThat(BackendOptions.builder().optDevice(Device.CPU)
        .optOption("session.intra_op.allow_spinning", "0").build().options()).hasSize(1);
  }

  @Test
  void reAgerBuilderPassesOptionsThroughWithTheSameChecks() {
    assertThatThrownBy(() -> ReAger.builder().optCudnnConvAlgoSearch("fast"))
        .hasMessageContaining("unknown cuDNN convolution algorithm search 'fast'");
    assertThatThrownBy(() -> ReAger.builder().optGpuMemoryLimit(-1))
        .hasMessageContaining("got -1");
    assertThatThrownBy(() -> ReAger.builder().optOption("foo", "1"))
        .hasMessageContaining("unknown backend option 'foo'");
    assertThatThrownBy(() -> ReAger.builder().setModel(java.nio.file.Path.of("missing.safetensors"))
        .optDevice(Device.CPU).optTensorRt(true).build())
        .hasMessage("TensorRT needs a CUDA device (or auto), but the device is cpu");
  }
}
