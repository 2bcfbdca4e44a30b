package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A provider that runs FRAN U-Net weights ({@code .safetensors} or {@code torch.save} files,
 * safetensors bytes): reading them, telling the architecture from the tensors and naming the
 * source in every format error happen here, once, and a subclass only builds its generator from
 * the weights and their {@link UNetConfig}.
 *
 * <p>Subclasses must be thread-safe, as every provider.
 */
public abstract class WeightFileBackendProvider implements BackendProvider {
  /** For subclasses. */
  protected WeightFileBackendProvider() {}

  /** {@return {@link WeightFiles#FORMATS}} */
  @Override
  public final String formats() {
    return WeightFiles.FORMATS;
  }

  /**
   * Returns true for a readable regular file that {@link WeightFiles} recognizes by content as
   * safetensors or a {@code torch.save} checkpoint ({@code .pth}/{@code .pt}).
   */
  @Override
  public final boolean supports(Path file) {
    return WeightFiles.isReadableWeightFile(file);
  }

  /**
   * Reads the weights and returns a generator over them.
   *
   * @throws ModelFormatException if the file is not valid weights or not a FRAN U-Net, naming the
   *     file and the problem
   */
  @Override
  public final Generator open(Path file, BackendOptions options) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(options, "options");
    checkOptions(options);
    return open(WeightFiles.read(file), file.toString(), options);
  }

  /** Takes {@code .safetensors} bytes; {@code torch.save} files are read from files only. */
  @Override
  public final boolean supports(byte[] model) {
    return WeightFiles.detect(checkNotNull(model, "model")) == WeightFiles.Format.SAFETENSORS;
  }

  /**
   * Reads {@code .safetensors} bytes and returns a generator over them.
   *
   * @throws ModelFormatException if the bytes are not a valid safetensors file or not a FRAN
   *     U-Net, naming the model and the problem
   */
  @Override
  public final Generator open(byte[] model, String name, BackendOptions options) {
    checkNotNull(model, "model");
    checkNotNull(name, "name");
    checkNotNull(options, "options");
    checkOptions(options);
    return open(WeightFiles.read(model, name), name, options);
  }

  private Generator open(StateDict weights, String source, BackendOptions options) {
    UNetConfig config;
    try {
      config = UNetConfig.fromStateDict(weights);
    } catch (ModelFormatException e) {
      throw new ModelFormatException(source + ": " + e.getMessage(), e);
    }
    return open(weights, config, source, options);
  }

  /**
   * Refuses options this backend cannot honour, before any weights are read. The default accepts
   * all.
   *
   * @param options the options asked for
   */
  protected void checkOptions(BackendOptions options) {}

  /**
   * Builds the generator over weights whose architecture is already known.
   *
   * @param weights the U-Net's tensors
   * @param config the architecture told from them
   * @param source the file or model name, for error messages
   * @param options the backend options
   * @return a new generator; the caller closes it
   */
  protected abstract Generator open(StateDict weights, UNetConfig config, String source,
      BackendOptions options);
}
