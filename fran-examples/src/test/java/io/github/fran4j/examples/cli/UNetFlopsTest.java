package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class UNetFlopsTest {
  @Test
  void tinyNetworkMatchesAHandCount() {
    // width 2, depth 1, 4x4 input: inc 5->2->2 at 4x4, down1 2->4->4 at 2x2,
    // up1 ConvT 4->2 on 2x2, up1 conv 4->2->2 at 4x4, outc 2->3 at 4x4.
    UNetConfig c = UNetConfig.builder().optBaseWidth(2).optDepth(1).optTrainingResolution(4)
        .build();
    double inc = 2 * 9 * (5 * 2 + 2 * 2) * 16;
    double down = 2 * 9 * (2 * 4 + 4 * 4) * 4;
    double convT = 2 * 4 * 2 * 4 * 4;
    double up = 2 * 9 * (4 * 2 + 2 * 2) * 16;
    double out = 2 * 2 * 3 * 16;
    assertThat(UNetFlops.count(c, 4, 4)).isEqualTo(inc + down + convT + up + out);
  }

  @Test
  void tinyCommunityNetworkMatchesAHandCount() {
    // width 2, depth 1, 4x4 input: init 5->2->2 at 4x4; down1 BlurPool(2) at 2x2, 2->4->4 at 2x2;
    // up1 ConvT 4->2 onto 4x4, BlurPool(2) at 4x4, conv cat(2+2)->2->2 at 4x4; final 2->3 at 4x4.
    UNetConfig c = UNetConfig.builder().optFamily(UNetFamily.COMMUNITY).optBaseWidth(2)
        .optDepth(1).optTrainingResolution(4).build();
    double init = 2 * 9 * (5 * 2 + 2 * 2) * 16;
    double down = 2 * 16 * 2 * 4 + 2 * 9 * (2 * 4 + 4 * 4) * 4;
    double up = 2 * 4 * 2 * 16 + 2 * 16 * 2 * 16 + 2 * 9 * (4 * 2 + 2 * 2) * 16;
    double out = 2 * 2 * 3 * 16;
    assertThat(UNetFlops.count(c, 4, 4)).isEqualTo(init + down + up + out);
  }

  @Test
  void seedSizeNetworkIsAbout96GflopAt256() {
    // shared/notes/onnxruntime.md measured 96.5 GFLOP for the width-64 net at 256x256.
    assertThat(UNetFlops.count(UNetConfig.reference(), 256, 256) / 1e9)
        .isCloseTo(96.5, Offset.offset(0.5));
  }
}
