package io.github.fran4j.training.backend;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.WeightFileBackendProvider;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.training.model.NativeArrays;
import io.github.fran4j.training.model.CommunityUNet;
import io.github.fran4j.training.model.UNet;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The DJL backend ({@value #NAME}): opens {@code .safetensors} or {@code torch.save} weights of a
 * FRAN U-Net into the training {@link UNet} (or {@link CommunityUNet} for the community family) and
 * runs it in eval mode with PyTorch through DJL.
 *
 * <p>Ranked {@value #RANK}, below the pure-Java backend: loading libtorch costs seconds and
 * hundreds of megabytes, so it is used only when asked for by name ({@code optBackend("djl")} or
 * {@code -Dfran.backend=djl}), e.g. to check a trained model against the other backends or to
 * benchmark it. {@link Device#AUTO} and {@link Device#CPU} run on the CPU; a CUDA device needs a
 * GPU that DJL's PyTorch engine sees, else {@link DeviceUnavailableException}.
 *
 * <p>Stateless and thread-safe; constructing it loads nothing.
 */
public final class DjlBackendProvider extends WeightFileBackendProvider {
  /** The provider's name. */
  public static final String NAME = "djl";
  /** The provider's rank: below pure-Java's, so that it runs only when asked for. */
  public static final int RANK = 5;

  /** Creates the provider (as {@link java.util.ServiceLoader} does). */
  public DjlBackendProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int rank() {
    return RANK;
  }

  /**
   * Loads the weights into a DJL U-Net on the requested device.
   *
   * @throws DeviceUnavailableException for a CUDA device DJL's engine does not see
   * @throws EngineException if the PyTorch engine cannot be loaded
   */
  @Override
  protected Generator open(StateDict weights, UNetConfig config, String file,
      BackendOptions options) {
    ai.djl.Device device = device(options.device());
    NDManager manager = NDManager.newBaseManager(device);
    boolean ok = false;
    try {
      int s = config.minimumSize();
      Shape inputShape = new Shape(1, config.inChannels(), s, s);
      AbstractBlock net;
      try {
        if (config.family() == UNetFamily.COMMUNITY) {
          CommunityUNet c = new CommunityUNet(config);
          c.initialize(manager, DataType.FLOAT32, inputShape);
          c.loadStateDict(weights);
          net = c;
        } else {
          UNet u = new UNet(config);
          u.initialize(manager, DataType.FLOAT32, inputShape);
          u.loadStateDict(weights);
          net = u;
        }
      } catch (ModelFormatException e) {
        throw new ModelFormatException(file + ": " + e.getMessage(), e);
      }
      DjlGenerator g = new DjlGenerator(manager, net, config, device, file.toString());
      ok = true;
      return g;
    } catch (ai.djl.engine.EngineException e) {
      throw new EngineException("DJL's PyTorch engine failed to set up " + file + ": "
          + e.getMessage(), e);
    } finally {
      if (!ok) {
        manager.close();
      }
    }
  }

  private static ai.djl.Device device(Device requested) {
    if (requested.kind() != Device.Kind.CUDA) {
      return ai.djl.Device.cpu();
    }
    int gpus;
    try {
      gpus = Engine.getEngine("PyTorch").getGpuCount();
    } catch (RuntimeException e) {
      gpus = 0;
    }
    if (requested.id() >= gpus) {
      throw new DeviceUnavailableException("CUDA device " + requested + " was requested but DJL's "
          + "PyTorch engine sees " + gpus + " GPU(s); this build carries the CPU libtorch "
          + "(PYTORCH_FLAVOR=cpu). Use device 'cpu' or 'auto', or the onnxruntime backend with "
          + "fran-onnx-gpu for GPU inference");
    }
    return ai.djl.Device.gpu(requested.id());
  }

  /** An eval-mode U-Net on DJL; thread-safe (each call scopes its arrays in a sub-manager). */
  private static final class DjlGenerator implements Generator {
    private final NDManager manager;
    private final AbstractBlock net;
    private final UNetConfig config;
    private final String description;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    DjlGenerator(NDManager manager, AbstractBlock net, UNetConfig config, ai.djl.Device device,
        String source) {
      this.manager = manager;
      this.net = net;
      this.config = config;
      this.description = NAME + " (" + (device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu")
          + ", " + source + ")";
    }

    @Override
    public Tensor predict(Tensor input) {
      checkNotNull(input, "input");
      int[] s = input.shape();
      checkArgument(s.length == 4 && s[1] == config.inChannels() && input.dtype().isFloating(),
          "input has shape %s, expected a floating-point [N, %s, H, W] tensor (RGB, input age "
              + "/ 100, target age / 100)", Arrays.toString(s), config.inChannels());
      int m = config.sizeMultiple();
      int min = config.minimumSize();
      checkArgument(s[2] % m == 0 && s[3] % m == 0 && s[2] >= min && s[3] >= min,
          "input %s: height and width must be multiples of 2^depth = %s and at least %s (pad the "
              + "image first)", Arrays.toString(s), m, min);
      lock.readLock().lock();
      try {
        if (closed) {
          throw new IllegalStateException("predict called on a closed " + NAME + " generator ("
              + description + ")");
        }
        try (NDManager sub = manager.newSubManager()) {
          NDArray x = NativeArrays.create(sub, input.toFloatArray(),
              new Shape(s[0], s[1], s[2], s[3]));
          NDList out = net.forward(new ParameterStore(sub, false), new NDList(x), false);
          NDArray y = out.singletonOrThrow();
          long[] ys = y.getShape().getShape();
          return Tensor.wrap(y.toFloatArray(), (int) ys[0], (int) ys[1], (int) ys[2],
              (int) ys[3]);
        } catch (ai.djl.engine.EngineException e) {
          throw new EngineException("DJL's PyTorch engine failed on input " + Arrays.toString(s)
              + " (" + description + "): " + e.getMessage(), e);
        }
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.of(config);
    }

    @Override
    public int sizeMultiple() {
      return config.sizeMultiple();
    }

    @Override
    public int resolution() {
      return config.trainingResolution();
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public void close() {
      lock.writeLock().lock();
      try {
        if (!closed) {
          closed = true;
          manager.close();
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }
}
