package io.github.fran4j.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the hand-written DJL ops against naive loops. */
class OpsTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void transposedConvMatchesNaiveLoop() {
    Random r = new Random(1);
    int n = 2, cin = 3, cout = 4, h = 3, w = 5;
    float[] x = random(r, n * cin * h * w);
    float[] wt = random(r, cin * cout * 4);
    float[] b = random(r, cout);
    NDArray y =
        TransposedConv2x2.apply(
            manager.create(x, new Shape(n, cin, h, w)),
            manager.create(wt, new Shape(cin, cout, 2, 2)),
            manager.create(b, new Shape(cout)));
    assertThat(y.getShape()).isEqualTo(new Shape(n, cout, 2 * h, 2 * w));
    float[] got = y.toFloatArray();
    // PyTorch ConvTranspose2d(k=2, s=2): out[n,co,2h+i,2w+j] = b[co] + sum_ci x[n,ci,h,w] W[ci,co,i,j]
    for (int in = 0; in < n; in++) {
      for (int co = 0; co < cout; co++) {
        for (int oy = 0; oy < 2 * h; oy++) {
          for (int ox = 0; ox < 2 * w; ox++) {
            double s = b[co];
            for (int ci = 0; ci < cin; ci++) {
              s += x[((in * cin + ci) * h + oy / 2) * w + ox / 2]
                  * wt[((ci * cout + co) * 2 + oy % 2) * 2 + ox % 2];
            }
            float g = got[((in * cout + co) * 2 * h + oy) * 2 * w + ox];
            assertThat(g).isCloseTo((float) s, Offset.offset(1e-5f));
          }
        }
      }
    }
  }

  @Test
  void transposedConvLeavesNothingInTheParametersManager() {
    // The weight and bias play the parameters (a long-lived manager); the input lives in a
    // per-step sub-manager. Before the fix each call left two reshaped views in the parameters'
    // manager, so a training run accumulated them step after step.
    try (NDManager params = NDManager.newBaseManager()) {
      Random r = new Random(3);
      NDArray wt = params.create(random(r, 3 * 4 * 4), new Shape(3, 4, 2, 2));
      NDArray b = params.create(random(r, 4), new Shape(4));
      int before = params.getManagedArrays().size();
      for (int i = 0; i < 3; i++) {
        try (NDManager step = params.newSubManager()) {
          NDArray x = step.create(random(r, 2 * 3 * 2 * 2), new Shape(2, 3, 2, 2));
          TransposedConv2x2.apply(x, wt, b).toFloatArray();
        }
      }
      assertThat(params.getManagedArrays()).hasSize(before);
    }
  }

  @Test
  void nativeArraysCopiesTheValuesIntoUnsharedArrays() {
    float[] first = {1f, -2f, 3.5f, 0f, 7f, -0.25f};
    float[] second = {9f, 8f, 7f, 6f, 5f, 4f};
    NDArray a = NativeArrays.create(manager, first, new Shape(2, 3));
    // The second call reuses the staging buffer: the first array must keep its own values.
    NDArray b = NativeArrays.create(manager, java.nio.FloatBuffer.wrap(second), new Shape(3, 2));
    assertThat(a.getShape()).isEqualTo(new Shape(2, 3));
    assertThat(a.toFloatArray()).containsExactly(first);
    assertThat(b.getShape()).isEqualTo(new Shape(3, 2));
    assertThat(b.toFloatArray()).containsExactly(second);
    a.close();
    b.close();
  }

  @Test
  void nativeArraysRejectsAShapeOfAnotherSize() {
    assertThatThrownBy(() -> NativeArrays.create(manager, new float[5], new Shape(2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(2, 3) holds 6 values, but 5 were given");
  }

  @Test
  void blurMatchesNaiveReflectConvolution() {
    Random r = new Random(2);
    int c = 2, h = 6, w = 4;
    float[] x = random(r, c * h * w);
    for (int stride : new int[] {1, 2}) {
      float[] got = Ops.blur(manager.create(x, new Shape(1, c, h, w)), stride).toFloatArray();
      int oh = (h - 1) / stride + 1;
      int ow = (w - 1) / stride + 1;
      assertThat(got).hasSize(c * oh * ow);
      float[] k = {1, 2, 1};
      for (int ch = 0; ch < c; ch++) {
        for (int oy = 0; oy < oh; oy++) {
          for (int ox = 0; ox < ow; ox++) {
            double s = 0;
            for (int i = 0; i < 3; i++) {
              for (int j = 0; j < 3; j++) {
                int yy = reflect(oy * stride + i - 1, h);
                int xx = reflect(ox * stride + j - 1, w);
                s += k[i] * k[j] / 16.0 * x[(ch * h + yy) * w + xx];
              }
            }
            assertThat(got[(ch * oh + oy) * ow + ox]).isCloseTo((float) s, Offset.offset(1e-5f));
          }
        }
      }
    }
  }

  private static int reflect(int i, int n) {
    return i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i);
  }

  @Test
  void bilinearAlignCornersHandComputed() {
    // 1x1x2x2 [[0, 3], [6, 9]] -> 4x4 with align_corners=True: positions 0, 1/3, 2/3, 1.
    NDArray x = manager.create(new float[] {0, 3, 6, 9}, new Shape(1, 1, 2, 2));
    float[] got = Ops.upsampleBilinear2x(x).toFloatArray();
    float[] expected = {0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9};
    assertThat(got).containsExactly(expected, Offset.offset(1e-5f));
  }

  @Test
  void reflectPadRejectsTinyInput() {
    assertThatThrownBy(() -> Ops.reflectPad1(manager.zeros(new Shape(1, 1, 1, 4))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("H, W >= 2");
  }
}
