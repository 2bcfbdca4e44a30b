package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.ReAgeRequest;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.OnnxExporter;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On ONNX Runtime's CPU provider a batched {@link ReAger#reage(List)} gives each image the bits of
 * the one-image call (what fran-spark's batches and their bit-for-bit promise rely on).
 */
class OnnxBatchInvarianceTest {
  @TempDir Path tmp;

  @Test
  void aBatchOfFourEqualsFourOneImageCalls() throws Exception {
    StateDict w = Fixtures.unetWeights("transposed_d2_w4");
    Path onnx = tmp.resolve("m.onnx");
    OnnxExporter.export(w, UNetConfig.fromStateDict(w), onnx);
    for (int threads : new int[] {1, 2}) {
      try (ReAger r = ReAger.builder().setModel(onnx).optDevice(Device.CPU).optThreads(threads)
          .optBatchSize(4).build()) {
        List<ReAgeRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          reqs.add(ReAgeRequest.of(Fixtures.randomRgbImage(36, 28, 300 + i), 30, 50 + 5 * i));
        }
        List<BufferedImage> batched = r.reage(reqs);
        for (int i = 0; i < 4; i++) {
          BufferedImage one = r.reage(reqs.get(i).image(), 30, 50 + 5 * i);
          assertThat(batched.get(i).getRGB(0, 0, 36, 28, null, 0, 36)).as("threads %s, image %s",
              threads, i).isEqualTo(one.getRGB(0, 0, 36, 28, null, 0, 36));
        }
      }
    }
  }
}
