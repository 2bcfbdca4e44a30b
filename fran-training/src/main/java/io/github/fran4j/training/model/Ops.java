package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.github.fran4j.core.model.BlurKernel;

/**
 * Parameter-free tensor operations the networks need and DJL's PyTorch engine does not offer
 * directly: reflect padding, the blur-pool filter and bilinear x2 up-sampling with
 * {@code align_corners=true}. All are differentiable (built from DJL ops). Thread-safe (stateless).
 */
public final class Ops {
  private Ops() {}

  /**
   * Pads the last two axes of an NCHW array by one pixel with reflection (PyTorch's
   * {@code ReflectionPad2d(1)}): the new border row/column copies the row/column next to the edge.
   *
   * @param x an array of shape (N, C, H, W) with H, W &gt;= 2
   * @return an array of shape (N, C, H + 2, W + 2)
   */
  public static NDArray reflectPad1(NDArray x) {
    Shape s = x.getShape();
    checkArgument(s.dimension() == 4, "expected an NCHW array, got shape %s", s);
    long h = s.get(2);
    long w = s.get(3);
    checkArgument(h >= 2 && w >= 2, "reflect padding needs H, W >= 2, got shape %s", s);
    NDArray left = x.get(new NDIndex(":, :, :, 1:2"));
    NDArray right = x.get(new NDIndex(":, :, :, {}:{}", w - 2, w - 1));
    NDArray wide = left.concat(x, 3).concat(right, 3);
    NDArray top = wide.get(new NDIndex(":, :, 1:2, :"));
    NDArray bottom = wide.get(new NDIndex(":, :, {}:{}, :", h - 2, h - 1));
    return top.concat(wide, 2).concat(bottom, 2);
  }

  /**
   * Applies the blur-pool filter: reflect padding 1, then the fixed depthwise 3x3 kernel
   * {@code [1 2 1]^T [1 2 1] / 16} with the given stride (see {@code UNetConfig.blurPool()}).
   *
   * @param x an array of shape (N, C, H, W)
   * @param stride 1 (blur only) or 2 (blur and down-sample: an even H becomes H / 2)
   * @return the blurred array
   */
  public static NDArray blur(NDArray x, int stride) {
    checkArgument(stride == 1 || stride == 2, "blur stride must be 1 or 2, got %s", stride);
    long c = x.getShape().get(1);
    NDManager m = x.getManager();
    NDArray weight = NativeArrays.create(m, BlurKernel.depthwise((int) c), new Shape(c, 1, 3, 3));
    NDArray bias = m.zeros(new Shape(c));
    return Conv2d.conv2d(
            reflectPad1(x),
            weight,
            bias,
            new Shape(stride, stride),
            new Shape(0, 0),
            new Shape(1, 1),
            (int) c)
        .singletonOrThrow();
  }

  /**
   * Doubles the height and width of an NCHW array by bilinear interpolation with
   * {@code align_corners=true} (PyTorch's {@code Upsample(scale_factor=2, mode='bilinear',
   * align_corners=True)}), written as two matrix products so that it is exact and differentiable.
   *
   * @param x an array of shape (N, C, H, W)
   * @return an array of shape (N, C, 2H, 2W)
   */
  public static NDArray upsampleBilinear2x(NDArray x) {
    Shape s = x.getShape();
    checkArgument(s.dimension() == 4, "expected an NCHW array, got shape %s", s);
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    NDManager m = x.getManager();
    NDArray rows = NativeArrays.create(m, interpolationMatrix(h), new Shape(2L * h, h));
    NDArray colsT =
        NativeArrays.create(m, interpolationMatrix(w), new Shape(2L * w, w)).transpose();
    return rows.matMul(x.matMul(colsT));
  }

  /**
   * Returns the (2n x n) row-major matrix A with A x = bilinear x2 resampling of a length-n signal x
   * under {@code align_corners=true}: output i samples input position i (n - 1) / (2n - 1).
   */
  static float[] interpolationMatrix(int n) {
    int out = 2 * n;
    float[] a = new float[out * n];
    for (int i = 0; i < out; i++) {
      double src = n == 1 ? 0.0 : (double) i * (n - 1) / (out - 1);
      int lo = (int) Math.floor(src);
      int hi = Math.min(lo + 1, n - 1);
      float frac = (float) (src - lo);
      a[i * n + lo] += 1f - frac;
      a[i * n + hi] += frac;
    }
    return a;
  }
}
