package io.github.fran4j.training.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import io.github.fran4j.training.data.AgeDataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticAgingDatasetTest {
  @TempDir Path tmp;

  private static SyntheticAgingDataset small(long seed, int threads) {
    return SyntheticAgingDataset.builder()
        .optIdentities(3)
        .optSize(48)
        .optAges(List.of(20, 50, 80))
        .optSeed(seed)
        .optThreads(threads)
        .build();
  }

  /** SHA-256 of every file, by relative path. */
  private static TreeMap<String, String> hashes(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString(),
            Hashing.sha256().hashBytes(Files.readAllBytes(p)).toString());
      }
    }
    return out;
  }

  @Test
  void sameSeedGivesTheSameBytesWhateverTheThreadCount() throws IOException {
    small(5, 1).write(tmp.resolve("a"));
    small(5, 3).write(tmp.resolve("b"));
    small(6, 2).write(tmp.resolve("c"));
    TreeMap<String, String> a = hashes(tmp.resolve("a"));
    assertThat(a).hasSize(9).containsKey("50/0002.png".replace('/', java.io.File.separatorChar));
    assertThat(hashes(tmp.resolve("b"))).isEqualTo(a);
    TreeMap<String, String> c = hashes(tmp.resolve("c"));
    assertThat(c.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) {
      assertThat(c.get(k)).as(k).isNotEqualTo(a.get(k));
    }
  }

  @Test
  void writesTheLayoutTheDatasetReads() throws IOException {
    small(1, 0).write(tmp);
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(32).build();
    assertThat(ds.ages()).containsExactly(20, 50, 80);
    assertThat(ds.identities()).containsExactly("0000", "0001", "0002");
    assertThat(ds.image(2, 2).getWidth()).isEqualTo(32);
  }

  @Test
  void writesATrainValSplit() throws IOException {
    SyntheticAgingDataset.builder().optIdentities(4).optSize(32).optAges(List.of(30, 60)).build()
        .writeSplit(tmp, 1);
    assertThat(AgeDataset.open(tmp.resolve("train")).identities())
        .containsExactly("0000", "0001", "0002");
    assertThat(AgeDataset.open(tmp.resolve("val")).identities()).containsExactly("0003");
    assertThatThrownBy(() -> small(0, 0).writeSplit(tmp, 3))
        .hasMessageContaining("validation identities must be in [1, 2]");
  }

  /**
   * Mean absolute Laplacian over the central lower face (nose, mouth, chin; never hair or clothes):
   * folds, lines and skin texture.
   */
  private static double detail(BufferedImage img) {
    int n = img.getWidth();
    double sum = 0;
    int count = 0;
    for (int y = n / 2; y < 4 * n / 5; y++) {
      for (int x = 35 * n / 100; x < 65 * n / 100; x++) {
        double lap = 4 * lum(img, x, y) - lum(img, x - 1, y) - lum(img, x + 1, y)
            - lum(img, x, y - 1) - lum(img, x, y + 1);
        sum += Math.abs(lap);
        count++;
      }
    }
    return sum / count;
  }

  private static double lum(BufferedImage img, int x, int y) {
    int p = img.getRGB(x, y);
    return 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
  }

  private static double meanSquaredDiff(BufferedImage a, BufferedImage b) {
    double s = 0;
    int n = a.getWidth();
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        double d = lum(a, x, y) - lum(b, x, y);
        s += d * d;
      }
    }
    return s / (n * n);
  }

  @Test
  void olderFacesCarryMoreFineDetail() {
    SyntheticAgingDataset d = SyntheticAgingDataset.builder().optIdentities(8).optSize(128).build();
    for (int id = 0; id < 8; id++) {
      double young = detail(d.render(id, 25));
      double old = detail(d.render(id, 80));
      assertThat(old).as("identity %s: detail at 80 vs 25", id).isGreaterThan(1.25 * young);
    }
  }

  @Test
  void foreheadLinesShowFaintlyAtThirtyAndDeepenWithAgeAtTheDemosSize() {
    // At 64 px a crease drawn at its design width would be half a pixel wide and fade into the
    // skin; it is drawn at least a pixel wide. From the mid-twenties the lines show faintly, so a
    // face at 30 already says where they will deepen.
    SyntheticAgingDataset d = SyntheticAgingDataset.builder().optIdentities(8).optSize(64).build();
    for (int id = 0; id < 8; id++) {
      double at15 = foreheadLines(d.render(id, 15));
      double at30 = foreheadLines(d.render(id, 30));
      double at75 = foreheadLines(d.render(id, 75));
      assertThat(at30).as("identity %s: forehead lines at 30 vs 15", id)
          .isGreaterThan(1.5 * at15);
      assertThat(at75).as("identity %s: forehead lines at 75 vs 30", id)
          .isGreaterThan(2 * at30);
    }
  }

  /**
   * Mean absolute vertical second difference of luminance on the middle of a 64-pixel face's
   * forehead (below the hairline, above the brows): horizontal lines.
   */
  private static double foreheadLines(BufferedImage img) {
    double sum = 0;
    int count = 0;
    for (int y = 17; y < 22; y++) {
      for (int x = 26; x < 38; x++) {
        sum += Math.abs(2 * lum(img, x, y) - lum(img, x, y - 1) - lum(img, x, y + 1));
        count++;
      }
    }
    return sum / count;
  }

  @Test
  void aRowIsOneIdentityChangingSmoothly() {
    SyntheticAgingDataset d = SyntheticAgingDataset.builder().optIdentities(6).optSize(64).build();
    for (int id = 0; id < 5; id++) {
      // Five years apart, the same person differs much less than two people of the same age.
      double sameIdentity = meanSquaredDiff(d.render(id, 40), d.render(id, 45));
      double otherIdentity = meanSquaredDiff(d.render(id, 40), d.render(id + 1, 40));
      assertThat(sameIdentity).as("identity %s", id).isLessThan(otherIdentity / 4);
    }
  }

  @Test
  void renderingIsDeterministicAndIndependentOfTheIdentityCount() {
    BufferedImage a = small(3, 0).render(1, 63.5);
    BufferedImage b = small(3, 0).toBuilder().optIdentities(50).build().render(1, 63.5);
    assertThat(a.getRGB(0, 0, 48, 48, null, 0, 48)).containsExactly(b.getRGB(0, 0, 48, 48, null, 0, 48));
  }

  @Test
  void parsesAgeRanges() {
    assertThat(SyntheticAgingDataset.parseAges("10:85:5")).isEqualTo(SyntheticAgingDataset.DEFAULT_AGES);
    assertThat(SyntheticAgingDataset.DEFAULT_AGES).hasSize(16).startsWith(10, 15).endsWith(85);
    assertThat(SyntheticAgingDataset.parseAges("60, 20,40")).containsExactly(20, 40, 60);
    assertThatThrownBy(() -> SyntheticAgingDataset.parseAges("10-85"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FROM:TO:STEP")
        .hasMessageContaining("'10-85'");
    assertThatThrownBy(() -> SyntheticAgingDataset.parseAges("85:10:5"))
        .hasMessageContaining("FROM <= TO");
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> SyntheticAgingDataset.builder().optSize(8))
        .hasMessageContaining("got 8");
    assertThatThrownBy(() -> SyntheticAgingDataset.builder().optAges(List.of(20, 20)))
        .hasMessageContaining("distinct");
    assertThatThrownBy(() -> small(0, 0).render(3, 20))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> small(0, 0).render(0, 130)).hasMessageContaining("got 130");
  }
}
