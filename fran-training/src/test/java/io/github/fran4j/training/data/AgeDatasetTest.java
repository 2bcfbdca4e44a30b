package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgeDatasetTest {
  @TempDir Path tmp;

  @Test
  void agesAreParsedAndSortedNumerically() throws IOException {
    // Lexicographic order would be 10, 100, 5 (and index-based ages would call them 5, 10, 15).
    TestData.grid(tmp, List.of("b", "a"), List.of(100, 5, 10), 8);
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(8).build();
    assertThat(ds.ages()).containsExactly(5, 10, 100);
    assertThat(ds.identities()).containsExactly("a", "b");
    assertThat(ds.path(0, 2)).isEqualTo(tmp.resolve("100").resolve("a.png"));
  }

  @Test
  void imageIsDecodedAndResizedToTheTrainingSize() throws IOException {
    // grid() wrote identity list index i with colour(i, ageFolderIndex): "x" is i=0, "y" is i=1.
    TestData.grid(tmp, List.of("x", "y"), List.of(20, 30), 40);
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(16).build();
    BufferedImage img = ds.image(1, 1);
    assertThat(img.getWidth()).isEqualTo(16);
    assertThat(img.getHeight()).isEqualTo(16);
    assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    assertThat(img.getRGB(7, 9) & 0xffffff).isEqualTo(TestData.colour(1, 1));
  }

  @Test
  void mixedSizesAreCentreCroppedAndResized() throws IOException {
    TestData.grid(tmp, List.of("p"), List.of(20), 32);
    // A 64x48 image whose 8-pixel left and right bands (the part a centre crop drops) are red.
    BufferedImage wide = TestData.solid(64, 48, 0x00ff00);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 8; x++) {
        wide.setRGB(x, y, 0xff0000);
        wide.setRGB(63 - x, y, 0xff0000);
      }
    }
    TestData.write(wide, tmp.resolve("30").resolve("p.png"));
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(16).build();
    BufferedImage small = ds.image(0, 0);
    BufferedImage fromWide = ds.image(0, 1);
    assertThat(small.getWidth()).isEqualTo(16);
    assertThat(fromWide.getWidth()).isEqualTo(16);
    for (int x = 0; x < 16; x++) {
      assertThat(fromWide.getRGB(x, 8) & 0xffffff).as("column %s", x).isEqualTo(0x00ff00);
    }
  }

  @Test
  void strictModeCountsAndListsMissingCells() throws IOException {
    TestData.grid(tmp, List.of("0001", "0002", "0003"), List.of(10, 15, 20), 8);
    Files.delete(tmp.resolve("15").resolve("0002.png"));
    Files.delete(tmp.resolve("20").resolve("0002.png"));
    Files.delete(tmp.resolve("10").resolve("0003.png"));
    assertThatThrownBy(() -> AgeDataset.open(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("3 missing cells")
        .hasMessageContaining("15/0002, 20/0002, 10/0003")
        .hasMessageContaining("lenient");
  }

  @Test
  void lenientModeDropsIncompleteIdentities() throws IOException {
    TestData.grid(tmp, List.of("0001", "0002", "0003"), List.of(10, 15), 8);
    Files.delete(tmp.resolve("15").resolve("0002.png"));
    AgeDataset ds = AgeDataset.builder(tmp).optLenient(true).optResolution(8).build();
    assertThat(ds.identities()).containsExactly("0001", "0003");
    assertThat(ds.droppedIdentities()).containsExactly("0002");
    assertThat(ds.layout().missingCells())
        .containsExactly(new DatasetLayout.Cell(15, "0002"));
    // Identity index 1 is now 0003, whose colour was written with list index 2.
    assertThat(ds.image(1, 0).getRGB(0, 0) & 0xffffff).isEqualTo(TestData.colour(2, 0));
  }

  @Test
  void lenientModeWithNoCompleteIdentityFails() throws IOException {
    TestData.grid(tmp, List.of("a"), List.of(10), 8);
    TestData.grid(tmp.resolve("x"), List.of("b"), List.of(15), 8);
    Files.move(tmp.resolve("x").resolve("15"), tmp.resolve("15"));
    Files.delete(tmp.resolve("x"));
    assertThatThrownBy(() -> AgeDataset.builder(tmp).optLenient(true).build())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no complete identity")
        .hasMessageContaining("2 missing cells");
  }

  @Test
  void nonNumericAgeFoldersAreNamed() throws IOException {
    TestData.grid(tmp, List.of("a"), List.of(10), 8);
    Files.createDirectories(tmp.resolve("young"));
    Files.createDirectories(tmp.resolve("25.5"));
    assertThatThrownBy(() -> AgeDataset.open(tmp))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("non-numeric")
        .hasMessageContaining("25.5")
        .hasMessageContaining("young");
  }

  @Test
  void splitRootGetsAHint() throws IOException {
    TestData.grid(tmp.resolve("train"), List.of("a"), List.of(10), 8);
    TestData.grid(tmp.resolve("val"), List.of("b"), List.of(10), 8);
    assertThatThrownBy(() -> AgeDataset.open(tmp))
        .hasMessageContaining("split root")
        .hasMessageContaining(tmp.resolve("train").toString());
  }

  @Test
  void duplicateAgesAndIdentitiesAreRejected() throws IOException {
    Path a = tmp.resolve("a");
    TestData.grid(a, List.of("i"), List.of(5), 8);
    TestData.write(TestData.solid(8, 8, 0), a.resolve("05").resolve("i.png"));
    assertThatThrownBy(() -> AgeDataset.open(a)).hasMessageContaining("both give age 5");

    Path b = tmp.resolve("b");
    TestData.grid(b, List.of("i"), List.of(5), 8);
    TestData.write(TestData.solid(8, 8, 0), b.resolve("5").resolve("i.jpg"));
    assertThatThrownBy(() -> AgeDataset.open(b))
        .hasMessageContaining("identity i appears twice")
        .hasMessageContaining("i.jpg")
        .hasMessageContaining("i.png");
  }

  @Test
  void emptyAndMissingFoldersFailWithTheReason() throws IOException {
    assertThatThrownBy(() -> AgeDataset.open(tmp)).hasMessageContaining("no age folders");
    Files.createDirectories(tmp.resolve("10"));
    Files.createDirectories(tmp.resolve("20"));
    assertThatThrownBy(() -> AgeDataset.open(tmp))
        .hasMessageContaining("no images")
        .hasMessageContaining("[10, 20]");
    assertThatThrownBy(() -> AgeDataset.open(tmp.resolve("nope")))
        .isInstanceOf(NoSuchFileException.class);
    Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> AgeDataset.open(tmp.resolve("file")))
        .isInstanceOf(NotDirectoryException.class);
  }

  @Test
  void strayFilesAndHiddenEntriesAreIgnored() throws IOException {
    TestData.grid(tmp, List.of("a"), List.of(10, 20), 8);
    Files.writeString(tmp.resolve("README.txt"), "notes");
    Files.createDirectories(tmp.resolve(".cache"));
    Files.writeString(tmp.resolve("10").resolve("a.txt"), "notes");
    Files.writeString(tmp.resolve("10").resolve(".DS_Store"), "x");
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(8).build();
    assertThat(ds.ages()).containsExactly(10, 20);
    assertThat(ds.identities()).containsExactly("a");
  }

  @Test
  void corruptAndTruncatedJpegsFailOnlyWhenDecodedAndNameTheFile() throws IOException {
    TestData.grid(tmp, List.of("a", "b", "c"), List.of(10), 8);
    // A real JPEG with a pattern (so its entropy-coded data is long), cut in half.
    BufferedImage noisy = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        noisy.setRGB(x, y, (int) ((x * 73856093L ^ y * 19349663L) & 0xffffff));
      }
    }
    Path good = tmp.resolve("good.jpg");
    TestData.write(noisy, good);
    byte[] bytes = Files.readAllBytes(good);
    Files.delete(good);
    Files.delete(tmp.resolve("10").resolve("a.png"));
    Files.delete(tmp.resolve("10").resolve("b.png"));
    Path truncated = tmp.resolve("10").resolve("a.jpg");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    Path garbage = tmp.resolve("10").resolve("b.jpg");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

    // Opening reads names only, so it succeeds.
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(8).build();
    assertThatThrownBy(() -> ds.image(0, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(truncated.toString());
    assertThatThrownBy(() -> ds.image(1, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(garbage.toString());
    assertThat(ds.image(2, 0).getWidth()).isEqualTo(8);
  }

  @Test
  void badIndicesAreRejected() throws IOException {
    TestData.grid(tmp, List.of("a"), List.of(10), 8);
    AgeDataset ds = AgeDataset.builder(tmp).optResolution(8).build();
    assertThatThrownBy(() -> ds.image(1, 0)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("identity");
    assertThatThrownBy(() -> ds.path(0, 3)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("ageIndex");
    assertThatThrownBy(() -> AgeDataset.builder(tmp).optResolution(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 4");
  }

  @Test
  void readsTheSharedSeedData() throws IOException {
    Path seed = Paths.get(System.getProperty("fran.shared.dir", "../shared"), "seed-data", "train");
    Assumptions.assumeTrue(
        Files.isDirectory(seed), "shared seed data not found at " + seed + "; skipping");
    AgeDataset ds = AgeDataset.builder(seed).optResolution(64).build();
    assertThat(ds.ages()).containsExactly(10, 15, 20);
    assertThat(ds.identityCount()).isEqualTo(7);
    int[] size = Images.readSize(ds.path(0, 0));
    assertThat(size).containsExactly(256, 256);
    BufferedImage img = ds.image(6, 2);
    assertThat(img.getWidth()).isEqualTo(64);
    // A face photo, not a blank: the pixels vary.
    int[] px = img.getRGB(0, 0, 64, 64, null, 0, 64);
    assertThat(Arrays.stream(px).distinct().count()).isGreaterThan(100);
  }
}
