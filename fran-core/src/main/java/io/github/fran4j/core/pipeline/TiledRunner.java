package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Generator} on inputs larger than a tile as overlapping tiles blended with feathered
 * weights, so that no seam shows. Immutable and thread-safe (as thread-safe as the generator).
 *
 * <p>Tiles are {@code tileSize} square (a multiple of the generator's size multiple), placed
 * every {@code tileSize - overlap} pixels with the last tile flush with the far edge. Each tile's
 * output is weighted by a raised-cosine ramp over {@code overlap} pixels on every side that borders
 * another tile (sides on the image border are not faded), and the weighted outputs are divided by
 * the summed weights. A generator whose output at a pixel depends only on that pixel's input (a
 * constant delta, say) therefore gives exactly the untiled result.
 */
public final class TiledRunner {
  private final int tileSize;
  private final int overlap;

  /**
   * Creates a runner.
   *
   * @param tileSize the tile side, &gt; 0 (must also be a multiple of the model's
   *     {@link DeltaRunner#sizeMultiple(Generator)}, checked when running)
   * @param overlap the overlap between neighbouring tiles, in [0, tileSize / 2]
   */
  public TiledRunner(int tileSize, int overlap) {
    checkArgument(tileSize > 0, "tile size must be > 0, got %s", tileSize);
    checkArgument(overlap >= 0 && overlap <= tileSize / 2,
        "overlap must be in [0, tileSize / 2 = %s], got %s", tileSize / 2, overlap);
    this.tileSize = tileSize;
    this.overlap = overlap;
  }

  /**
   * Returns the largest tile side, a multiple of {@code multiple}, whose estimated working memory
   * fits a budget; never less than {@code multiple}.
   *
   * @param budgetBytes the memory a single tile's forward pass may use
   * @param bytesPerPixel the estimated bytes per pixel of one forward pass (see
   *     {@link #estimateBytesPerPixel})
   * @param multiple the generator's size multiple
   * @return the tile side
   */
  public static int tileSizeForBudget(long budgetBytes, long bytesPerPixel, int multiple) {
    checkArgument(budgetBytes > 0, "memory budget must be > 0 bytes, got %s", budgetBytes);
    checkArgument(bytesPerPixel > 0, "bytes per pixel must be > 0, got %s", bytesPerPixel);
    checkArgument(multiple > 0, "size multiple must be > 0, got %s", multiple);
    long side = (long) Math.floor(Math.sqrt((double) budgetBytes / bytesPerPixel));
    side = side / multiple * multiple;
    return (int) Math.max(multiple, Math.min(side, 1 << 16));
  }

  /**
   * Estimates the float32 activation memory of a FRAN U-Net forward pass per input pixel: about
   * 48 x width bytes (the full-resolution encoder and decoder blocks and skip tensors dominate).
   * A heuristic for sizing tiles, not a measurement.
   *
   * @param unetWidth the U-Net's first-level width (64 for the paper's model)
   * @return bytes per pixel
   */
  public static long estimateBytesPerPixel(int unetWidth) {
    checkArgument(unetWidth > 0, "U-Net width must be > 0, got %s", unetWidth);
    return 48L * unetWidth;
  }

  /** {@return the tile side} */
  public int tileSize() {
    return tileSize;
  }

  /** {@return the overlap between tiles} */
  public int overlap() {
    return overlap;
  }

  /**
   * Runs the generator, tiled when the input is larger than a tile.
   *
   * @param g the generator
   * @param input {@code [N, C, H, W]}; H and W multiples of the generator's size multiple
   * @return {@code [N, outC, H, W]}, as the generator would give, blended across tiles
   */
  public Tensor run(Generator g, Tensor input) {
    checkNotNull(g, "generator");
    checkNotNull(input, "input");
    checkArgument(input.rank() == 4, "input must be [N, C, H, W], got shape %s",
        java.util.Arrays.toString(input.shape()));
    int m = DeltaRunner.sizeMultiple(g);
    checkArgument(tileSize % m == 0, "tile size %s must be a multiple of the model's size multiple %s",
        tileSize, m);
    int n = input.dim(0);
    int c = input.dim(1);
    int h = input.dim(2);
    int w = input.dim(3);
    if (h <= tileSize && w <= tileSize) {
      return g.predict(input);
    }
    List<int[]> ys = spans(h);
    List<int[]> xs = spans(w);
    float[] in = input.toFloatArray();
    float[] acc = null;
    float[] wsum = new float[h * w];
    int outC = -1;
    for (int[] ySpan : ys) {
      float[] ry = ramp(ySpan[0], ySpan[1], h);
      for (int[] xSpan : xs) {
        float[] rx = ramp(xSpan[0], xSpan[1], w);
        int th = ySpan[1];
        int tw = xSpan[1];
        float[] tile = new float[n * c * th * tw];
        for (int b = 0; b < n * c; b++) {
          for (int y = 0; y < th; y++) {
            System.arraycopy(in, (b * h + ySpan[0] + y) * w + xSpan[0], tile, (b * th + y) * tw, tw);
          }
        }
        Tensor out = g.predict(Tensor.wrap(tile, n, c, th, tw));
        if (!(out.rank() == 4 && out.dim(0) == n && out.dim(2) == th && out.dim(3) == tw)) {
          throw new EngineException("backend " + g.describe() + " returned shape "
              + java.util.Arrays.toString(out.shape()) + " for a tile of " + th + "x" + tw);
        }
        if (acc == null) {
          outC = out.dim(1);
          acc = new float[n * outC * h * w];
        }
        float[] o = out.toFloatArray();
        for (int y = 0; y < th; y++) {
          for (int x = 0; x < tw; x++) {
            float wt = ry[y] * rx[x];
            int fi = (ySpan[0] + y) * w + xSpan[0] + x;
            wsum[fi] += wt;
            for (int b = 0; b < n * outC; b++) {
              acc[b * h * w + fi] += wt * o[(b * th + y) * tw + x];
            }
          }
        }
      }
    }
    for (int b = 0; b < n * outC; b++) {
      for (int i = 0; i < h * w; i++) {
        acc[b * h * w + i] /= wsum[i];
      }
    }
    return Tensor.wrap(acc, n, outC, h, w);
  }

  /** Returns {start, length} of the tiles along an axis of the given length. */
  List<int[]> spans(int length) {
    List<int[]> out = new ArrayList<>();
    if (length <= tileSize) {
      out.add(new int[] {0, length});
      return out;
    }
    int step = Math.max(1, tileSize - overlap);
    for (int s = 0; ; s += step) {
      if (s + tileSize >= length) {
        out.add(new int[] {length - tileSize, tileSize});
        break;
      }
      out.add(new int[] {s, tileSize});
    }
    return out;
  }

  /** The 1-D blending weight of a tile: raised-cosine ramps on sides that border another tile. */
  private float[] ramp(int start, int len, int total) {
    float[] r = new float[len];
    for (int i = 0; i < len; i++) {
      double v = 1;
      if (overlap > 0) {
        if (start > 0) {
          v *= rise((i + 0.5) / overlap);
        }
        if (start + len < total) {
          v *= rise((len - i - 0.5) / overlap);
        }
      }
      r[i] = (float) v;
    }
    return r;
  }

  private static double rise(double t) {
    return t >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * t);
  }

  @Override
  public String toString() {
    return "TiledRunner{tileSize=" + tileSize + ", overlap=" + overlap + "}";
  }
}
