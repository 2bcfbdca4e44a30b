package io.github.fran4j.training.loss;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * LPIPS with the VGG16 backbone (Zhang et al. 2018, "v0.1" calibration), built from a weights file
 * the user supplies (see docs/training.md for producing it from torchvision's VGG16 and the public
 * LPIPS linear weights).
 *
 * <p>The weights are a state dict holding torchvision's VGG16 {@code features.<i>.weight|bias} for
 * the 13 convolutions ({@code i} in 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28) and LPIPS's
 * {@code lin<k>.model.1.weight} (shape (1, C_k, 1, 1)) for the five taps relu1_2, relu2_2, relu3_3,
 * relu4_3, relu5_3. Channel counts are read from the shapes, so a file with VGG16's layer structure
 * but smaller widths (as the test fixture) works too.
 *
 * <p>Formula, for images in [0, 1]: scale to [-1, 1], normalise with LPIPS's shift
 * (-0.030, -0.088, -0.188) and scale (0.458, 0.448, 0.450), run VGG16 to each tap, unit-normalise
 * the features over channels ({@code f / (sqrt(sum f^2) + 1e-10)}), square the difference, weight
 * channels by the lin layer, average over space and sum over taps. The weights are constants (no
 * gradient); the gradient flows to the images.
 *
 * <p>Holds native memory: close it. Forward passes may run concurrently after construction.
 */
public final class Lpips implements AutoCloseable {
  /** The VGG16 {@code features} indices of the 13 convolutions. */
  static final int[] CONV_INDICES = {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28};
  /** How many convolutions each of the five stages has. */
  private static final int[] STAGE_CONVS = {2, 2, 3, 3, 3};
  private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
  private static final float[] SCALE = {0.458f, 0.448f, 0.450f};

  private final NDManager manager;
  private final List<NDArray> weights = new ArrayList<>();
  private final List<NDArray> biases = new ArrayList<>();
  private final List<NDArray> lins = new ArrayList<>();
  private final NDArray shift;
  private final NDArray scale;
  private boolean closed;

  private Lpips(NDManager manager) {
    this.manager = manager;
    shift = manager.create(SHIFT, new Shape(1, 3, 1, 1));
    scale = manager.create(SCALE, new Shape(1, 3, 1, 1));
  }

  /**
   * Builds LPIPS from a state dict (see the class documentation for the names).
   *
   * @param weights the VGG16 and lin weights
   * @param parent the manager whose child will own the arrays
   * @return the metric; the caller closes it
   * @throws ModelFormatException listing any missing or misshaped tensor
   */
  public static Lpips fromStateDict(StateDict weights, NDManager parent)
      throws ModelFormatException {
    checkNotNull(weights, "weights");
    checkNotNull(parent, "parent");
    List<String> problems = new ArrayList<>();
    int prevChannels = 3;
    int conv = 0;
    int[] tapChannels = new int[5];
    for (int stage = 0; stage < 5; stage++) {
      for (int j = 0; j < STAGE_CONVS[stage]; j++, conv++) {
        String w = "features." + CONV_INDICES[conv] + ".weight";
        String b = "features." + CONV_INDICES[conv] + ".bias";
        Tensor wt = weights.find(w).orElse(null);
        if (wt == null || wt.rank() != 4 || wt.dim(1) != prevChannels || wt.dim(2) != 3
            || wt.dim(3) != 3) {
          problems.add(w + (wt == null ? " missing" : " is " + Arrays.toString(wt.shape())
              + ", expected (C, " + prevChannels + ", 3, 3)"));
          break;
        }
        prevChannels = wt.dim(0);
        Tensor bt = weights.find(b).orElse(null);
        if (bt == null || !bt.hasShape(prevChannels)) {
          problems.add(b + (bt == null ? " missing" : " is " + Arrays.toString(bt.shape())
              + ", expected (" + prevChannels + ")"));
        }
      }
      if (!problems.isEmpty()) {
        break;
      }
      tapChannels[stage] = prevChannels;
      String lin = "lin" + stage + ".model.1.weight";
      Tensor lt = weights.find(lin).orElse(null);
      if (lt == null || !lt.hasShape(1, prevChannels, 1, 1)) {
        problems.add(lin + (lt == null ? " missing" : " is " + Arrays.toString(lt.shape()))
            + ", expected (1, " + prevChannels + ", 1, 1)");
      }
    }
    if (!problems.isEmpty()) {
      throw new ModelFormatException(
          "not an LPIPS-VGG16 weights file: " + String.join("; ", problems)
              + " (expected torchvision 'features.<i>.weight|bias' for i in "
              + Arrays.toString(CONV_INDICES) + " and LPIPS 'lin<k>.model.1.weight', k = 0..4;"
              + " see docs/training.md)");
    }
    NDManager m = parent.newSubManager();
    Lpips l = new Lpips(m);
    for (int i = 0; i < CONV_INDICES.length; i++) {
      l.weights.add(create(m, weights.get("features." + CONV_INDICES[i] + ".weight")));
      l.biases.add(create(m, weights.get("features." + CONV_INDICES[i] + ".bias")));
    }
    for (int k = 0; k < 5; k++) {
      l.lins.add(create(m, weights.get("lin" + k + ".model.1.weight")));
    }
    return l;
  }

  private static NDArray create(NDManager m, Tensor t) {
    long[] shape = Arrays.stream(t.shape()).mapToLong(d -> d).toArray();
    return m.create(t.toDType(DType.F32).toFloatArray(), new Shape(shape));
  }

  /**
   * Returns the per-sample LPIPS distance between two image batches in [0, 1].
   *
   * @param x0 (N, 3, H, W), H and W at least 16 (four 2x2 poolings)
   * @param x1 the same shape
   * @return shape (N)
   */
  public NDArray distance(NDArray x0, NDArray x1) {
    checkState(!closed, "distance() called on a closed Lpips");
    checkArgument(
        x0.getShape().equals(x1.getShape())
            && x0.getShape().dimension() == 4
            && x0.getShape().get(1) == 3
            && x0.getShape().get(2) >= 16
            && x0.getShape().get(3) >= 16,
        "LPIPS needs two (N, 3, H, W) batches of the same shape with H, W >= 16, got %s and %s",
        x0.getShape(),
        x1.getShape());
    long n = x0.getShape().get(0);
    // Run both batches through VGG in one pass.
    NDArray h = prepare(x0.concat(x1, 0));
    NDArray total = null;
    int conv = 0;
    for (int stage = 0; stage < 5; stage++) {
      if (stage > 0) {
        h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
      }
      for (int j = 0; j < STAGE_CONVS[stage]; j++, conv++) {
        h = Conv2d.conv2d(h, weights.get(conv), biases.get(conv), new Shape(1, 1), new Shape(1, 1))
            .singletonOrThrow();
        h = Activation.relu(h);
      }
      NDArray f = unitNormalize(h);
      NDArray f0 = f.get("0:{}", n);
      NDArray f1 = f.get("{}:", n);
      NDArray d = f0.sub(f1).square();
      NDArray weighted = Conv2d.conv2d(d, lins.get(stage)).singletonOrThrow(); // (N, 1, h, w)
      // PtNDArray.mean takes one axis only: flatten first.
      NDArray term = weighted.reshape(n, -1).mean(new int[] {1});
      total = total == null ? term : total.add(term);
    }
    return total;
  }

  /**
   * Returns the batch mean of {@link #distance}: the LPIPS loss term.
   *
   * @param prediction (N, 3, H, W) in [0, 1]
   * @param target the same shape
   * @return a scalar
   */
  public NDArray loss(NDArray prediction, NDArray target) {
    return distance(prediction, target).mean();
  }

  private NDArray prepare(NDArray x) {
    return x.mul(2f).sub(1f).sub(shift).div(scale);
  }

  private static NDArray unitNormalize(NDArray f) {
    NDArray norm = f.square().sum(new int[] {1}, true).sqrt();
    return f.div(norm.add(1e-10f));
  }

  /** Releases the weights; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }
}
