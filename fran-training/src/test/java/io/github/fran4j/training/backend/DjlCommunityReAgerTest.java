package io.github.fran4j.training.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ReAger} on the DJL backend with a community checkpoint (a plain {@code torch.save} file)
 * against PyTorch's delta at an odd size, 72x56, which ReAger pads to the model's multiple.
 */
class DjlCommunityReAgerTest {
  @Test
  void communityPthMatchesPyTorchAtAnOddSize() throws Exception {
    StateDict io = Fixtures.communityIo("community_w4");
    Tensor input = io.get("input.72x56");
    float[] expected = io.get("output.72x56").toFloatArray();
    int h = input.dim(2);
    int w = input.dim(3);
    float[] x = input.toFloatArray();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int c = 0; c < w; c++) {
        int rgb = 0;
        for (int ch = 0; ch < 3; ch++) {
          rgb = (rgb << 8) | Math.round(x[(ch * h + y) * w + c] * 255f);
        }
        img.setRGB(c, y, rgb);
      }
    }
    try (ReAger r = ReAger.builder().setModel(Fixtures.communityWeightsFile("community_w4"))
        .optBackend(DjlBackendProvider.NAME).build()) {
      assertThat(r.describe()).startsWith(DjlBackendProvider.NAME);
      float[] delta = r.predictDeltas(PlanarImage.fromBufferedImage(img), AgeMap.constant(30),
          List.of(AgeMap.constant(70))).get(0);
      assertThat(delta).hasSameSizeAs(expected);
      double max = 0;
      for (int i = 0; i < delta.length; i++) {
        max = Math.max(max, Math.abs(delta[i] - expected[i]));
      }
      assertThat(max).isLessThan(Fixtures.UNET_TOLERANCE);
    }
  }
}
