package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.NoBackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds {@link BackendProvider}s with {@link ServiceLoader} and opens model files with the best
 * one. The system property {@value #BACKEND_PROPERTY} forces a provider by name.
 */
public final class Backends {
  /** System property that forces a backend by {@link BackendProvider#name()}. */
  public static final String BACKEND_PROPERTY = "fran.backend";

  private Backends() {}

  /** {@return every provider on the class path, highest rank first} */
  public static ImmutableList<BackendProvider> providers() {
    return ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).stream()
        .map(ServiceLoader.Provider::get)
        .sorted(Comparator.comparingInt(BackendProvider::rank).reversed())
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * Opens a model file with the highest-ranked provider that supports it, or with the provider
   * named by {@code backend} (or the {@value #BACKEND_PROPERTY} property) when given.
   *
   * @param file the model file
   * @param backend a provider name, or null to choose automatically
   * @param options device and runtime options
   * @return the generator; the caller closes it
   * @throws NoSuchFileException if the file does not exist
   * @throws NoBackendException if no provider accepts the file, listing those found
   * @throws IOException if the chosen provider cannot read the file
   */
  public static Generator open(Path file, String backend, BackendOptions options)
      throws IOException {
    checkNotNull(file, "model path");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null,
          Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              ? "model path is a symbolic link that does not resolve (a loop or a missing target)"
              : "model file does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException("model path " + file + " is not a regular file");
    }
    if (Files.size(file) == 0) {
      throw new ModelFormatException("model file " + file + " is empty");
    }
    List<BackendProvider> all = providers();
    String forced = backend != null ? backend : System.getProperty(BACKEND_PROPERTY);
    if (forced != null) {
      for (BackendProvider p : all) {
        if (p.name().equals(forced)) {
          return p.open(file, options);
        }
      }
      throw new NoBackendException("backend '" + forced + "' was requested for " + file
          + " but is not on the class path; found " + describe(all));
    }
    for (BackendProvider p : all) {
      if (p.supports(file)) {
        return p.open(file, options);
      }
    }
    throw new NoBackendException("no backend accepts model file " + file + "; found "
        + describe(all) + ". Add io.github.fran4j:fran-onnx for .onnx files; the pure-Java "
        + "backend in fran-core reads .safetensors");
  }

  /**
   * Opens a model held in memory with the highest-ranked provider whose
   * {@link BackendProvider#supports(byte[])} accepts its content, or with the provider named by
   * {@code backend} (or the {@value #BACKEND_PROPERTY} property) when given. The format is told
   * from the bytes, never from a name.
   *
   * @param model the model's bytes
   * @param name a name for messages, e.g. the upload's file name
   * @param backend a provider name, or null to choose automatically
   * @param options device and runtime options
   * @return the generator; the caller closes it
   * @throws ModelFormatException if the bytes are empty or not a valid model
   * @throws NoBackendException if no provider accepts the bytes, listing those found
   * @throws IOException if the chosen provider cannot read the model
   */
  public static Generator open(byte[] model, String name, String backend,
      BackendOptions options) throws IOException {
    checkNotNull(model, "model");
    checkNotNull(name, "name");
    checkNotNull(options, "options");
    if (model.length == 0) {
      throw new ModelFormatException("model " + name + " is empty (0 bytes)");
    }
    List<BackendProvider> all = providers();
    String forced = backend != null ? backend : System.getProperty(BACKEND_PROPERTY);
    for (BackendProvider p : all) {
      if (forced != null ? p.name().equals(forced) : p.supports(model)) {
        return p.open(model, name, options);
      }
    }
    if (forced == null && io.github.fran4j.core.weights.WeightFiles.detect(model)
        == io.github.fran4j.core.weights.WeightFiles.Format.PTH) {
      // No backend takes torch.save bytes: let the reader say why and what to do instead.
      io.github.fran4j.core.weights.WeightFiles.read(model, name);
    }
    if (forced != null) {
      throw new NoBackendException("backend '" + forced + "' was requested for " + name
          + " but is not on the class path; found " + describe(all));
    }
    throw new NoBackendException("no backend accepts the in-memory model " + name + " ("
        + io.github.fran4j.core.weights.WeightFiles.detect(model).name().toLowerCase(
            java.util.Locale.ROOT) + " content); found " + describe(all)
        + ". The pure-Java backend reads .safetensors bytes; add io.github.fran4j:fran-onnx for"
        + " ONNX bytes");
  }

  private static String describe(List<BackendProvider> all) {
    if (all.isEmpty()) {
      return "no backends";
    }
    return all.stream()
        .map(p -> p.name() + " (" + p.formats() + ")")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
