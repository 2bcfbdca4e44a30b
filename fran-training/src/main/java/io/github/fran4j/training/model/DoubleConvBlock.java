package io.github.fran4j.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.fran4j.core.model.UNetLayout;
import java.util.Map;

/**
 * The reference's DoubleConv: [Conv3x3 (no bias, padding 1) -> BatchNorm -> ReLU] x 2, with
 * PyTorch's BatchNorm epsilon 1e-5 and momentum 0.1 (DJL momentum 0.9). Not thread-safe during
 * initialisation.
 */
final class DoubleConvBlock extends AbstractBlock {
  private final UNetLayout.DoubleConv spec;
  private final Conv2d conv0;
  private final BatchNorm bn1;
  private final Conv2d conv3;
  private final BatchNorm bn4;

  DoubleConvBlock(UNetLayout.DoubleConv spec) {
    this.spec = spec;
    conv0 = addChildBlock("conv0", conv(spec.mid()));
    bn1 = addChildBlock("bn1", batchNorm());
    conv3 = addChildBlock("conv3", conv(spec.out()));
    bn4 = addChildBlock("bn4", batchNorm());
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(3, 3))
        .optPadding(new Shape(1, 1))
        .setFilters(filters)
        .optBias(false)
        .build();
  }

  private static BatchNorm batchNorm() {
    return BatchNorm.builder()
        .optEpsilon(UNetLayout.BATCH_NORM_EPS)
        .optMomentum(0.9f) // DJL's momentum weights the old value: 0.9 == PyTorch's 0.1
        .build();
  }

  /** Adds this block's parameters under their PyTorch names. */
  void collectNames(Map<String, Parameter> names) {
    names.put(spec.name(0, "weight"), conv0.getParameters().get("weight"));
    putBatchNorm(names, 1, bn1);
    names.put(spec.name(3, "weight"), conv3.getParameters().get("weight"));
    putBatchNorm(names, 4, bn4);
  }

  private void putBatchNorm(Map<String, Parameter> names, int index, BatchNorm bn) {
    names.put(spec.name(index, "weight"), bn.getParameters().get("gamma"));
    names.put(spec.name(index, "bias"), bn.getParameters().get("beta"));
    names.put(spec.name(index, "running_mean"), bn.getParameters().get("runningMean"));
    names.put(spec.name(index, "running_var"), bn.getParameters().get("runningVar"));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = conv0.forward(ps, inputs, training, params);
    x = bn1.forward(ps, x, training, params);
    x = new NDList(Activation.relu(x.singletonOrThrow()));
    x = conv3.forward(ps, x, training, params);
    x = bn4.forward(ps, x, training, params);
    NDArray y = Activation.relu(x.singletonOrThrow());
    return new NDList(y);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), spec.out(), s.get(2), s.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv0.initialize(manager, dataType, new Shape(1, spec.in(), 4, 4));
    bn1.initialize(manager, dataType, new Shape(1, spec.mid(), 4, 4));
    conv3.initialize(manager, dataType, new Shape(1, spec.mid(), 4, 4));
    bn4.initialize(manager, dataType, new Shape(1, spec.out(), 4, 4));
  }
}
