package io.github.fran4j.training.trainer;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import io.github.fran4j.core.spi.Device;

/**
 * Maps the SDK's {@link Device} to the DJL device the trainer puts every tensor on, refusing a
 * CUDA device DJL's PyTorch engine cannot use instead of falling back to the CPU silently. A final
 * utility class; thread-safe.
 */
final class TrainingDevice {
  /** Where the switch to CUDA natives is documented. */
  static final String HOW_TO = "build with -Ppytorch-cuda (DJL's CUDA natives instead of"
      + " pytorch-native-cpu) on a machine with an NVIDIA driver; see docs/training.md, 'Training"
      + " on a GPU'";

  private TrainingDevice() {}

  /**
   * Returns the DJL device for {@code device}.
   *
   * @throws IllegalStateException for a CUDA device when the loaded PyTorch natives have no CUDA
   *     or DJL sees too few GPUs, saying which and how to fix it
   */
  static ai.djl.Device resolve(Device device) {
    switch (device.kind()) {
      case CPU:
        return ai.djl.Device.cpu();
      case CUDA:
        Engine e = Engine.getInstance();
        if (!e.hasCapability(StandardCapabilities.CUDA)) {
          throw new IllegalStateException("--device " + device + " needs CUDA, but DJL's PyTorch "
              + e.getVersion() + " natives here are a CPU build; " + HOW_TO);
        }
        int gpus = e.getGpuCount();
        if (device.id() >= gpus) {
          throw new IllegalStateException("--device " + device + " needs a CUDA GPU with index "
              + device.id() + ", but DJL sees " + gpus + " GPU" + (gpus == 1 ? "" : "s")
              + " (check nvidia-smi and CUDA_VISIBLE_DEVICES)");
        }
        return ai.djl.Device.gpu(device.id());
      case AUTO:
      default:
        return Engine.getInstance().defaultDevice();
    }
  }
}
