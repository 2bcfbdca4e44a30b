package io.github.fran4j.core.testing;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Access to fran-core's test fixtures, also from other modules through fran-core's test-jar
 * (resources are read as streams, so this works from a jar too).
 *
 * <p>The U-Net fixtures ({@code /fixtures/unet/}) were made by real PyTorch with
 * {@code fran-core/src/test/python/make_reference_fixtures.py}: {@code <case>.safetensors} holds
 * the weights (UNetConfig JSON in the metadata), {@code <case>.io.safetensors} holds
 * {@code input.<H>x<W>} [N,5,H,W] and {@code output.<H>x<W>} [N,3,H,W] float32 tensors, the output
 * computed in float64 by PyTorch in eval mode.
 */
public final class Fixtures {
  /** Every U-Net case, all with base width 4. */
  public static final List<String> UNET_CASES =
      List.of(
          "transposed_d2_w4",
          "bilinear_d3_w4",
          "transposed_d3_w4_blur",
          "bilinear_d2_w4_blur",
          "transposed_d2_w4_f16");

  /**
   * The community U-Net cases ({@code /fixtures/community/}, made by
   * {@code fran-core/src/test/python/make_community_fixtures.py}): {@code <case>.pth} is a plain
   * {@code torch.save(state_dict)} as the community saves its generator, {@code <case>.io.safetensors}
   * holds inputs and PyTorch's deltas like the U-Net cases. Sizes that are not multiples of 2^depth
   * were run as ReAger runs them (replicate-padded right and bottom, then cropped), with RGB values
   * k/255 and constant ages 30 (input) and 70 (target).
   */
  public static final List<String> COMMUNITY_CASES = List.of("community_w4", "community_w8_d2");

  /** Largest difference from the PyTorch outputs a float32 implementation should show. */
  public static final double UNET_TOLERANCE = 1e-4;

  private Fixtures() {}

  /**
   * Returns a resource's bytes.
   *
   * @param resource an absolute resource name, e.g. {@code /fixtures/unet/bilinear_d3_w4.safetensors}
   * @return its content
   */
  public static byte[] bytes(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns a U-Net case's weights.
   *
   * @param unetCase one of {@link #UNET_CASES}
   * @return the state dict with its metadata
   */
  public static StateDict unetWeights(String unetCase) {
    return read("/fixtures/unet/" + unetCase + ".safetensors");
  }

  /**
   * Returns a U-Net case's inputs and PyTorch outputs.
   *
   * @param unetCase one of {@link #UNET_CASES}
   * @return tensors {@code input.<H>x<W>} and {@code output.<H>x<W>}
   */
  public static StateDict unetIo(String unetCase) {
    return read("/fixtures/unet/" + unetCase + ".io.safetensors");
  }

  /**
   * Copies a U-Net case's weights file into a directory (for code that needs a file).
   *
   * @param unetCase one of {@link #UNET_CASES}
   * @param dir the target directory
   * @return the copied {@code <case>.safetensors}
   */
  public static Path unetWeightsFile(String unetCase, Path dir) {
    try {
      return Files.write(dir.resolve(unetCase + ".safetensors"),
          bytes("/fixtures/unet/" + unetCase + ".safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A {@code TYPE_INT_RGB} image of seeded random pixels.
   *
   * @param width width
   * @param height height
   * @param seed seed for {@link Random}
   * @return the image
   */
  public static BufferedImage randomRgbImage(int width, int height, long seed) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, r.nextInt() & 0xFFFFFF);
      }
    }
    return img;
  }

  /**
   * Returns the largest absolute element difference, or infinity if either holds NaN where the
   * other does not.
   *
   * @param a a tensor
   * @param b a tensor of the same size
   * @return max |a - b|
   */
  public static double maxAbsDiff(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    if (x.length != y.length) {
      throw new IllegalArgumentException("sizes differ: " + a + " vs " + b);
    }
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      double d = Math.abs((double) x[i] - y[i]);
      if (Double.isNaN(d)) {
        if (Float.isNaN(x[i]) && Float.isNaN(y[i])) {
          continue;
        }
        return Double.POSITIVE_INFINITY;
      }
      m = Math.max(m, d);
    }
    return m;
  }

  /**
   * Returns random weights of the right names and shapes for a configuration (the library's own
   * {@link RandomUNetWeights}: He-normal convolutions, non-trivial BatchNorm statistics). For speed
   * checks and comparisons between implementations at sizes the PyTorch fixtures do not cover.
   *
   * @param config the architecture
   * @param seed the random seed
   * @return the state dict, with the configuration in its metadata
   */
  public static StateDict randomWeights(UNetConfig config, long seed) {
    return RandomUNetWeights.create(config, seed);
  }

  /**
   * Returns a community case's weights file (in the test classpath, or a temporary copy when the
   * classpath is a jar; do not modify it).
   *
   * @param communityCase one of {@link #COMMUNITY_CASES}
   * @return the {@code .pth} file
   */
  public static Path communityWeightsFile(String communityCase) {
    String resource = "/fixtures/community/" + communityCase + ".pth";
    java.net.URL url = Fixtures.class.getResource(resource);
    if (url == null) {
      throw new IllegalArgumentException("no test resource " + resource);
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
      // Inside the test jar (other modules' tests): a temporary copy.
      Path tmp = Files.createTempFile(communityCase + "-", ".pth");
      tmp.toFile().deleteOnExit();
      return Files.write(tmp, bytes(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns a community case's weights.
   *
   * @param communityCase one of {@link #COMMUNITY_CASES}
   * @return the state dict
   */
  public static StateDict communityWeights(String communityCase) {
    try {
      return io.github.fran4j.core.weights.WeightFiles.read(communityWeightsFile(communityCase));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns a community case's inputs and PyTorch deltas.
   *
   * @param communityCase one of {@link #COMMUNITY_CASES}
   * @return tensors {@code input.<H>x<W>} and {@code output.<H>x<W>}
   */
  public static StateDict communityIo(String communityCase) {
    return read("/fixtures/community/" + communityCase + ".io.safetensors");
  }

  private static StateDict read(String resource) {
    return SafeTensors.read(bytes(resource), resource);
  }
}
