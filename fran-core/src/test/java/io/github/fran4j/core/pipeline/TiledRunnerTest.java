package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.core.spi.FakeGenerator;
import io.github.fran4j.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TiledRunnerTest {

  private static Tensor randomInput(int n, int h, int w, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * 5 * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return Tensor.wrap(v, n, 5, h, w);
  }

  @Test
  void constantDeltaModelGivesASeamlessConstantAcrossTiles() {
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(new float[] {0.25f, -0.5f, 0.125f}, false, 8, 64);
    TiledRunner tiler = new TiledRunner(32, 8);
    float[] out = tiler.run(g, randomInput(1, 96, 80, 1)).toFloatArray();
    // 96 x 80 with 32-px tiles every 24 px: 4 x 3 tiles (+ flush last tiles).
    assertThat(g.calls).hasSizeGreaterThanOrEqualTo(12);
    for (int i = 0; i < 96 * 80; i++) {
      assertThat(out[i]).isEqualTo(0.25f);
      assertThat(out[96 * 80 + i]).isEqualTo(-0.5f);
      assertThat(out[2 * 96 * 80 + i]).isEqualTo(0.125f);
    }
    for (int[] s : g.calls) {
      assertThat(s).containsExactly(1, 5, 32, 32);
    }
  }

  @Test
  void pointwiseModelTiledEqualsUntiled() {
    FakeGenerator g = new FakeGenerator(8);
    Tensor in = randomInput(2, 72, 56, 2);
    float[] whole = g.predict(in).toFloatArray();
    float[] tiled = new TiledRunner(24, 6).run(g, in).toFloatArray();
    assertThat(tiled).hasSize(whole.length);
    for (int i = 0; i < whole.length; i++) {
      assertThat(tiled[i]).isCloseTo(whole[i], within(1e-6f));
    }
  }

  @Test
  void smallInputsRunInOneCall() {
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(new float[] {1, 1, 1}, false, 8, 64);
    new TiledRunner(64, 8).run(g, randomInput(1, 64, 48, 3));
    assertThat(g.calls).hasSize(1);
  }

  @Test
  void spansCoverTheAxisWithFlushLastTile() {
    TiledRunner t = new TiledRunner(32, 8);
    List<int[]> s = t.spans(100);
    // Starts 0, 24, 48, then 68 (flush with the end).
    assertThat(s).extracting(a -> a[0]).containsExactly(0, 24, 48, 68);
    assertThat(t.spans(20)).extracting(a -> a[1]).containsExactly(20);
  }

  @Test
  void tileSizeFollowsTheMemoryBudget() {
    // 48 * 64 = 3072 bytes per pixel; 1 GiB -> sqrt(349525.3) = 591 -> 576 (multiple of 32).
    long bpp = TiledRunner.estimateBytesPerPixel(64);
    assertThat(bpp).isEqualTo(3072);
    assertThat(TiledRunner.tileSizeForBudget(1L << 30, bpp, 32)).isEqualTo(576);
    assertThat(TiledRunner.tileSizeForBudget(1000, bpp, 32)).isEqualTo(32);
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> new TiledRunner(32, 17))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(new float[] {1, 1, 1}, false, 16, 64);
    assertThatThrownBy(() -> new TiledRunner(24, 4).run(g, randomInput(1, 64, 64, 4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
  }
}
