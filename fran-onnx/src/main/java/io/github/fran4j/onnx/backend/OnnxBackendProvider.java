package io.github.fran4j.onnx.backend;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.BackendProvider;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The ONNX Runtime backend for {@code ReAger.load}: opens {@code .onnx} files with
 * {@link OnnxGenerator}, and {@code .safetensors} or PyTorch {@code .pth}/{@code .pt} checkpoints
 * (read by {@link WeightFiles}) by exporting them to ONNX in memory
 * ({@link OnnxExporter}; the architecture comes from the checkpoint's metadata or is inferred from
 * its tensors, see {@link UNetConfig#fromStateDict}). Registered in {@code META-INF/services}; ranked {@value #RANK}, above the
 * pure-Java reference backend, so that it wins whenever {@code fran-onnx} is on the class path.
 * Construction is free: ONNX Runtime is loaded only by {@link #open}. Thread-safe.
 */
public final class OnnxBackendProvider implements BackendProvider {
  /** This provider's rank. */
  public static final int RANK = 100;

  /** Creates the provider (called by {@link java.util.ServiceLoader}). */
  public OnnxBackendProvider() {}

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public int rank() {
    return RANK;
  }

  @Override
  public String formats() {
    return ".onnx, .safetensors, .pth, .pt";
  }

  @Override
  public boolean supports(Path file) {
    checkNotNull(file, "file");
    Path name = file.getFileName();
    if (name == null) {
      return false;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".onnx") || n.endsWith(".safetensors") || n.endsWith(".pth")
        || n.endsWith(".pt");
  }

  /**
   * Opens an {@code .onnx} model, or a {@code .safetensors}/{@code .pth}/{@code .pt} checkpoint
   * through an in-memory export.
   *
   * @throws ModelFormatException for corrupt files, ONNX models that break the input/output
   *     contract, and checkpoints whose tensors do not form a FRAN U-Net (every missing, misshaped
   *     and unexpected tensor is listed)
   */
  @Override
  public Generator open(Path file, BackendOptions options) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(options, "options");
    String n = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
    if (!n.endsWith(".onnx")) {
      StateDict weights = WeightFiles.read(file);
      UNetConfig config = UNetConfig.fromStateDict(weights, file.toString());
      return OnnxGenerator.open(OnnxExporter.toBytes(weights, config), file.toString(), options);
    }
    return OnnxGenerator.open(file, options);
  }

  /** Takes ONNX and {@code .safetensors} bytes, told apart by content. */
  @Override
  public boolean supports(byte[] model) {
    WeightFiles.Format f = WeightFiles.detect(checkNotNull(model, "model"));
    return f == WeightFiles.Format.ONNX || f == WeightFiles.Format.SAFETENSORS;
  }

  /**
   * Opens ONNX bytes in an ONNX Runtime session created from memory, or {@code .safetensors}
   * bytes through an in-memory export; nothing touches the disk.
   *
   * @throws ModelFormatException if the bytes are not a valid model, naming {@code name}
   */
  @Override
  public Generator open(byte[] model, String name, BackendOptions options) throws IOException {
    checkNotNull(model, "model");
    checkNotNull(name, "name");
    checkNotNull(options, "options");
    if (WeightFiles.detect(model) == WeightFiles.Format.ONNX) {
      return OnnxGenerator.open(model, name, options);
    }
    StateDict weights = WeightFiles.read(model, name);
    UNetConfig config = UNetConfig.fromStateDict(weights);
    return OnnxGenerator.open(OnnxExporter.toBytes(weights, config), name, options);
  }
}
