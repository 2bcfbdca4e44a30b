package io.github.fran4j.onnx.runtime;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.BackendProvider;
import io.github.fran4j.core.spi.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The ONNX Runtime backend for {@code ReAger.load}: opens {@code .onnx} files with
 * {@link OnnxGenerator}. Registered in {@code META-INF/services}; ranked {@value #RANK}, above the
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
    return ".onnx";
  }

  @Override
  public boolean supports(Path file) {
    checkNotNull(file, "file");
    Path name = file.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  @Override
  public Generator open(Path file, BackendOptions options) throws IOException {
    return OnnxGenerator.open(file, options);
  }
}
