package io.github.fran4j.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Structure, naming and state-dict conversion of the DJL U-Net and PatchGAN. */
class UNetTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static UNetConfig tiny(Upsampling up, boolean blur) {
    return UNetConfig.builder()
        .optBaseWidth(4)
        .optDepth(2)
        .optUpsampling(up)
        .optBlurPool(blur)
        .optTrainingResolution(16)
        .build();
  }

  static UNet initialised(UNetConfig c) {
    UNet u = new UNet(c);
    u.initialize(manager, DataType.FLOAT32, new Shape(1, c.inChannels(), 16, 16));
    return u;
  }

  /** Random weights for every layout tensor, with positive running variances. */
  static StateDict randomWeights(UNetConfig c, long seed) {
    Random r = new Random(seed);
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : c.layout().parameters()) {
      if (p.name().endsWith("num_batches_tracked")) {
        b.put(p.name(), Tensor.ofLongs(new long[] {7}));
        continue;
      }
      float[] v = new float[Tensor.numel(p.shape())];
      for (int i = 0; i < v.length; i++) {
        v[i] = p.name().endsWith("running_var")
            ? 0.5f + r.nextFloat()
            : (float) (r.nextGaussian() * 0.3);
      }
      b.put(p.name(), Tensor.ofFloats(v, p.shape()));
    }
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(Upsampling.class)
  void namesMatchLayoutAndRoundTripIsLossless(Upsampling up) throws Exception {
    UNetConfig c = tiny(up, false);
    UNet u = initialised(c);
    assertThat(u.parametersByName().keySet())
        .containsExactlyElementsOf(
            c.layout().parameters().stream()
                .map(UNetLayout.Parameter::name)
                .filter(n -> !n.endsWith("num_batches_tracked"))
                .toList());
    StateDict w = randomWeights(c, 3);
    u.loadStateDict(w);
    StateDict back = u.toStateDict();
    assertThat(back.names()).containsExactlyElementsOf(w.names());
    for (String n : w.names()) {
      assertThat(back.get(n)).as(n).isEqualTo(w.get(n));
    }
    assertThat(UNetConfig.fromStateDict(back)).isEqualTo(c);
  }

  @Test
  void forwardShapeAndBatchNormCounter() {
    UNetConfig c = tiny(Upsampling.TRANSPOSED, true);
    UNet u = initialised(c);
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = sub.randomUniform(0, 1, new Shape(2, 5, 16, 32));
      NDArray y = u.forward(ps, new NDList(x), true).singletonOrThrow();
      assertThat(y.getShape()).isEqualTo(new Shape(2, 3, 16, 32));
      assertThat(u.batchesTracked()).isEqualTo(1);
      u.forward(ps, new NDList(x), false);
      assertThat(u.batchesTracked()).isEqualTo(1);
    }
  }

  @Test
  void forwardRejectsTooSmallInputAndAcceptsOddSizes() {
    UNet u = initialised(tiny(Upsampling.TRANSPOSED, true));
    assertThat(u.minimumSize()).isEqualTo(6);
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager sub = manager.newSubManager()) {
      NDArray x = sub.zeros(new Shape(1, 5, 5, 16));
      assertThatThrownBy(() -> u.forward(ps, new NDList(x), false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least 6");
      NDArray odd = sub.zeros(new Shape(1, 5, 13, 7));
      assertThat(u.forward(ps, new NDList(odd), false).singletonOrThrow().getShape())
          .isEqualTo(new Shape(1, 3, 13, 7));
    }
  }

  @Test
  void loadRejectsWeightsOfAnotherConfig() {
    UNet u = initialised(tiny(Upsampling.TRANSPOSED, false));
    StateDict other = randomWeights(tiny(Upsampling.BILINEAR, false), 1);
    assertThatThrownBy(() -> u.loadStateDict(other))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("up1.up.weight");
  }

  @Test
  void referenceGeneratorHas31MillionParameters() {
    UNet u = new UNet(UNetConfig.reference());
    long n = u.parametersByName().entrySet().stream()
        .filter(e -> !e.getKey().contains("running"))
        .mapToLong(e -> e.getValue().getShape() == null ? -1 : e.getValue().getShape().size())
        .sum();
    // Shapes of DJL conv weights are only known after initialisation; count from the layout instead.
    assertThat(UNetConfig.reference().layout().trainableParameterCount()).isBetween(31_000_000L, 31_100_000L);
    assertThat(n).isNotZero();
  }

  @Test
  void patchGanGives30x30At256AndRoundTrips() throws Exception {
    for (boolean blur : new boolean[] {false, true}) {
      PatchGanDiscriminator d = new PatchGanDiscriminator(4, 2, blur);
      d.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 256, 256));
      ParameterStore ps = new ParameterStore(manager, false);
      try (NDManager sub = manager.newSubManager()) {
        NDArray y = d.forward(ps, new NDList(sub.zeros(new Shape(1, 4, 256, 256))), false)
            .singletonOrThrow();
        assertThat(y.getShape()).as("blur=" + blur).isEqualTo(new Shape(1, 1, 30, 30));
        assertThat(d.getOutputShapes(new Shape[] {new Shape(1, 4, 256, 256)})[0])
            .isEqualTo(new Shape(1, 1, 30, 30));
      }
      StateDict w = d.toStateDict();
      assertThat(w.names()).containsExactly(
          "model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias", "model.4.weight",
          "model.4.bias", "model.6.weight", "model.6.bias", "model.8.weight", "model.8.bias");
      assertThat(w.get("model.6.weight").shape()).containsExactly(16, 8, 4, 4);
      PatchGanDiscriminator d2 = new PatchGanDiscriminator(4, 2, blur);
      d2.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 32, 32));
      d2.loadStateDict(w);
      assertThat(d2.toStateDict().tensors()).isEqualTo(w.tensors());
    }
  }
}
