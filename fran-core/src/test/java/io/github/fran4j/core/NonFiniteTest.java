package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.FakeGenerator;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NaN or infinite weights used to give an all-black image with exit 0. */
class NonFiniteTest {
  @TempDir Path tmp;

  private static final UNetConfig TINY =
      UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(32).build();

  @Test
  void aNonFiniteWeightIsRefusedAtLoadNamingTheTensor() throws Exception {
    StateDict good = RandomUNetWeights.create(TINY, 1);
    String name = good.names().stream().filter(n -> n.endsWith("weight")).sorted().findFirst()
        .orElseThrow();
    float[] v = good.get(name).toFloatArray();
    v[3] = Float.NaN;
    v[5] = Float.POSITIVE_INFINITY;
    StateDict bad = good.toBuilder().put(name, Tensor.wrap(v, good.get(name).shape())).build();
    Path file = tmp.resolve("nan.safetensors");
    SafeTensors.write(bad, file);
    assertThatThrownBy(() -> ReAger.load(file))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("'" + name + "'")
        .hasMessageContaining("2 non-finite")
        .hasMessageContaining("index 3");
  }

  /** The fake generator with one NaN in its delta (or none, to show the check is the cause). */
  private static final class NanGenerator implements Generator {
    private final FakeGenerator fake = new FakeGenerator(1);
    private final boolean nan;

    NanGenerator(boolean nan) {
      this.nan = nan;
    }

    @Override
    public Tensor predict(Tensor input) {
      float[] d = fake.predict(input).toFloatArray();
      if (nan) {
        d[d.length / 2] = Float.NaN;
      }
      int[] s = input.shape();
      return Tensor.wrap(d, s[0], 3, s[2], s[3]);
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.empty();
    }

    @Override
    public int sizeMultiple() {
      return 1;
    }

    @Override
    public int resolution() {
      return 32;
    }

    @Override
    public String describe() {
      return "nan-backend (broken.onnx)";
    }

    @Override
    public void close() {}
  }

  @Test
  void aNonFiniteDeltaIsAnErrorNamingTheModelNotAnImage() throws Exception {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    try (ReAger whole = ReAger.builder().setGenerator(new NanGenerator(true)).build()) {
      assertThatThrownBy(() -> whole.reage(img, 30, 70))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("nan-backend (broken.onnx)")
          .hasMessageContaining("1 non-finite");
    }
    try (ReAger boxed = ReAger.builder().setGenerator(new NanGenerator(true))
        .optFaceBox(4, 4, 24, 24).build()) {
      assertThatThrownBy(() -> boxed.reage(img, 30, 70))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("nan-backend (broken.onnx)");
    }
    // The same generator without the NaN works, so the check is what refuses it.
    try (ReAger fine = ReAger.builder().setGenerator(new NanGenerator(false)).build()) {
      assertThat(fine.reage(img, 30, 70).getWidth()).isEqualTo(32);
    }
  }
}
