package io.github.fran4j.core.backend;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.Throwables;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.spi.WeightFileBackendProvider;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pure-Java backend ({@value #NAME}): opens {@code .safetensors} or {@code torch.save} ({@code .pth}) weights of a
 * FRAN U-Net and
 * runs them with {@link ReferenceUNet} on the CPU. No native code; meant for small models, tests
 * and as the reference the other backends are compared with. Its low rank ({@value #RANK}) lets
 * any native backend that reads the same file win.
 *
 * <p>The architecture comes from the file's {@link UNetConfig#METADATA_KEY} metadata, or is
 * inferred from the tensor shapes. {@link BackendOptions#threads()} above 0 runs each prediction
 * in a private {@link ForkJoinPool} of that many threads (released by {@link Generator#close()});
 * 0 uses the common pool. Only {@link Device#AUTO} and {@link Device#CPU} are accepted.
 *
 * <p>Stateless and thread-safe; constructing it does nothing.
 */
public final class PureJavaBackendProvider extends WeightFileBackendProvider {
  /** The provider's name, usable with the {@code fran.backend} system property. */
  public static final String NAME = "pure-java";
  /** The provider's rank: low, so that native backends are preferred for the same file. */
  public static final int RANK = 10;

  /** Creates the provider (as {@link java.util.ServiceLoader} does). */
  public PureJavaBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int rank() {
    return RANK;
  }

  /** CPU only: a CUDA device is refused before the weights are read. */
  @Override
  protected void checkOptions(BackendOptions options) {
    if (options.device().kind() == Device.Kind.CUDA) {
      throw new DeviceUnavailableException("the " + NAME + " backend is CPU-only, but device "
          + options.device() + " was requested; use device 'cpu' or 'auto', or load an .onnx model "
          + "with fran-onnx (onnxruntime_gpu) for GPU inference");
    }
  }

  /**
   * Builds the pure-Java network over the weights.
   *
   * @throws ModelFormatException if a tensor does not fit the architecture, naming the source
   */
  @Override
  protected Generator open(StateDict weights, UNetConfig config, String source,
      BackendOptions options) {
    ReferenceUNet net;
    try {
      net = ReferenceUNet.create(weights, config);
    } catch (ModelFormatException e) {
      throw new ModelFormatException(source + ": " + e.getMessage(), e);
    }
    return new PureJavaGenerator(net, options.threads());
  }

  /** A generator over {@link ReferenceUNet}; thread-safe. */
  private static final class PureJavaGenerator implements Generator {
    private final ReferenceUNet net;
    private final ForkJoinPool pool; // null: the common pool
    private final AtomicBoolean closed = new AtomicBoolean();

    PureJavaGenerator(ReferenceUNet net, int threads) {
      this.net = net;
      this.pool = threads > 0 ? new ForkJoinPool(threads) : null;
    }

    @Override
    public Tensor predict(Tensor input) {
      if (closed.get()) {
        throw new IllegalStateException("predict called on a closed " + NAME + " generator");
      }
      checkNotNull(input, "input");
      int m = sizeMultiple();
      checkArgument(
          input.rank() == 4 && input.dim(2) % m == 0 && input.dim(3) % m == 0,
          "input %s: height and width must be multiples of 2^depth = %s (pad the image first)",
          Arrays.toString(input.shape()),
          m);
      net.checkInput(input); // in this thread, so that shape errors are not wrapped by the pool
      if (pool == null) {
        return net.forward(input);
      }
      // Parallel streams started inside a ForkJoinPool task run in that pool.
      try {
        return pool.submit(() -> net.forward(input)).get();
      } catch (RejectedExecutionException e) {
        // close() shut the pool down between the check above and the submit: same contract.
        throw new IllegalStateException("predict called on a closed " + NAME + " generator", e);
      } catch (ExecutionException e) {
        // Rethrow the original (e.g. IllegalArgumentException about the shape), not a wrapper.
        Throwables.throwIfUnchecked(e.getCause());
        throw new EngineException("the " + NAME + " forward pass failed on input "
            + Arrays.toString(input.shape()) + ": " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EngineException("interrupted while running the " + NAME + " generator", e);
      }
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.of(net.config());
    }

    @Override
    public int sizeMultiple() {
      return net.config().sizeMultiple();
    }

    @Override
    public int resolution() {
      return net.config().trainingResolution();
    }

    @Override
    public String describe() {
      return NAME + " (cpu)";
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true) && pool != null) {
        pool.shutdown();
      }
    }
  }
}
