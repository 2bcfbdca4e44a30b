package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2x2 stride-2 transposed convolution (PyTorch's {@code ConvTranspose2d(cin, cout, 2, 2)}),
 * which DJL's PyTorch engine lacks. The weight keeps PyTorch's layout {@code (Cin, Cout, 2, 2)} so
 * state dicts convert without reordering; a bias of {@code Cout} values is added.
 *
 * <p>With kernel = stride = 2 the output blocks do not overlap: output pixel (2h + i, 2w + j) of
 * channel co is {@code sum_ci x[ci, h, w] * W[ci, co, i, j] + b[co]}. That is one matrix product of
 * the (N H W, Cin) pixels with the (Cin, Cout 4) weight, followed by a reshape and transpose.
 *
 * <p>Not thread-safe during initialisation; forward passes on distinct arrays may run
 * concurrently, as for any DJL block.
 */
public final class TransposedConv2x2 extends AbstractBlock {
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;

  /**
   * Creates the block.
   *
   * @param in input channels
   * @param out output channels
   */
  public TransposedConv2x2(int in, int out) {
    checkArgument(in >= 1 && out >= 1, "channels must be positive, got in=%s out=%s", in, out);
    this.in = in;
    this.out = out;
    weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(in, out, 2, 2))
                .build());
    bias =
        addParameter(
            Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(out))
                .build());
  }

  /** {@return the weight parameter, shape (Cin, Cout, 2, 2)} */
  public Parameter weight() {
    return weight;
  }

  /** {@return the bias parameter, shape (Cout)} */
  public Parameter bias() {
    return bias;
  }

  /**
   * Applies the transposed convolution to explicit arrays (also used by tests).
   *
   * @param x input (N, Cin, H, W)
   * @param w weight (Cin, Cout, 2, 2)
   * @param b bias (Cout)
   * @return output (N, Cout, 2H, 2W)
   */
  public static NDArray apply(NDArray x, NDArray w, NDArray b) {
    Shape s = x.getShape();
    Shape ws = w.getShape();
    checkArgument(
        s.dimension() == 4 && ws.dimension() == 4 && s.get(1) == ws.get(0),
        "input %s does not match weight %s (expected (N, Cin, H, W) and (Cin, Cout, 2, 2))",
        s,
        ws);
    long n = s.get(0);
    long cin = s.get(1);
    long h = s.get(2);
    long wd = s.get(3);
    long cout = ws.get(1);
    NDArray pixels = x.transpose(0, 2, 3, 1).reshape(n * h * wd, cin);
    // An op's result joins its first operand's manager: reshaping the parameters would put a new
    // view into the parameters' long-lived manager on every forward pass (a leak of 2 arrays per
    // layer and pass). Move the views to the input's manager so they die with the step's arrays.
    NDArray w2 = w.reshape(cin, cout * 4);
    w2.attach(x.getManager());
    NDArray b2 = b.reshape(1, cout, 1, 1);
    b2.attach(x.getManager());
    NDArray y = pixels.matMul(w2); // (NHW, Cout*2*2)
    y = y.reshape(n, h, wd, cout, 2, 2).transpose(0, 3, 1, 4, 2, 5).reshape(n, cout, h * 2, wd * 2);
    return y.add(b2);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = ps.getValue(weight, x.getDevice(), training);
    NDArray b = ps.getValue(bias, x.getDevice(), training);
    return new NDList(apply(x, w, b));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), out, s.get(2) * 2, s.get(3) * 2)};
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    checkArgument(
        inputShapes[0].get(1) == in,
        "TransposedConv2x2 expects %s input channels, got shape %s",
        in,
        inputShapes[0]);
  }
}
