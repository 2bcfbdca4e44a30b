package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The community's dataset layout {@code DIR/<identity>/<age>.jpg}, with gaps. */
class IdentityFoldersTest {
  @TempDir Path tmp;

  /** alice: 20, 40, 60; bob: 40, 80; carol: 20 only when {@code withSingle}. */
  private Path community(boolean withSingle) throws IOException {
    write("alice", 20, 0);
    write("alice", 40, 1);
    write("alice", 60, 2);
    write("bob", 40, 3);
    write("bob", 80, 4);
    if (withSingle) {
      write("carol", 20, 5);
    }
    return tmp;
  }

  private void write(String id, int age, int colour) throws IOException {
    Files.createDirectories(tmp.resolve(id));
    TestData.write(TestData.solid(16, 16, TestData.colour(colour, 0)),
        tmp.resolve(id).resolve(age + ".png"));
  }

  @Test
  void layoutIsRecognisedByItself() throws IOException {
    DatasetLayout l = DatasetLayout.scan(community(false));
    assertThat(l.structure()).isEqualTo(DatasetLayout.Structure.IDENTITY_FOLDERS);
    assertThat(l.ages()).containsExactly(20, 40, 60, 80);
    assertThat(l.identities()).containsExactly("alice", "bob");
    assertThat(l.agesOf("bob")).containsExactly(40, 80);
    assertThat(l.fileCount()).isEqualTo(5);
    assertThat(l.filesAt(40).keySet()).containsExactly("alice", "bob");
    assertThat(l.missingCells()).extracting(Object::toString)
        .containsExactly("80/alice", "20/bob", "60/bob");
  }

  @Test
  void referenceLayoutIsStillRecognised() throws IOException {
    TestData.grid(tmp, List.of("0001", "0002"), List.of(10, 20), 8);
    assertThat(DatasetLayout.scan(tmp).structure())
        .isEqualTo(DatasetLayout.Structure.AGE_FOLDERS);
  }

  @Test
  void numericIdentityFoldersCanBeForced() throws IOException {
    Files.createDirectories(tmp.resolve("0001"));
    TestData.write(TestData.solid(8, 8, 0), tmp.resolve("0001").resolve("30.png"));
    TestData.write(TestData.solid(8, 8, 0), tmp.resolve("0001").resolve("50.png"));
    DatasetLayout l = DatasetLayout.scan(tmp, DatasetLayout.Structure.IDENTITY_FOLDERS);
    assertThat(l.identities()).containsExactly("0001");
    assertThat(l.ages()).containsExactly(30, 50);
  }

  @Test
  void pairsComeOnlyFromTheAgesEachIdentityHas() throws IOException {
    AgeDataset ds = AgeDataset.builder(community(false)).optResolution(8).build();
    assertThat(ds.complete()).isFalse();
    assertThat(ds.ageIndicesOf(1)).containsExactly(1, 3); // bob: 40, 80
    assertThat(ds.path(1, 0)).isNull();
    assertThatThrownBy(() -> ds.image(1, 0)).isInstanceOf(IOException.class)
        .hasMessageContaining("bob has no image at age 20");
    AgeBatchSampler s = AgeBatchSampler.builder(ds).optIdentitiesPerBatch(2)
        .optBatchesPerEpoch(200).optSeed(3).build();
    Set<Integer> bobAges = new HashSet<>();
    for (List<PairSpec> batch : s.epoch(0)) {
      for (PairSpec p : batch) {
        assertThat(ds.path(p.identity(), p.ageIndexA())).as("%s", p).isNotNull();
        assertThat(ds.path(p.identity(), p.ageIndexB())).as("%s", p).isNotNull();
        if (p.identity() == 1) {
          bobAges.add(p.ageIndexA());
          bobAges.add(p.ageIndexB());
        }
      }
    }
    assertThat(bobAges).containsExactlyInAnyOrder(1, 3);
    try (PairLoader loader = PairLoader.builder(ds, s).optWorkers(1).build()) {
      PairBatch b = loader.epoch(0).next();
      assertThat(b.pairs()).hasSize(2);
    }
  }

  @Test
  void identityWithOneAgeIsNamed() throws IOException {
    Path root = community(true);
    assertThatThrownBy(() -> AgeDataset.open(root)).isInstanceOf(IOException.class)
        .hasMessageContaining("identity carol")
        .hasMessageContaining("only age [20]")
        .hasMessageContaining("at least two ages");
    AgeDataset lenient = AgeDataset.builder(root).optLenient(true).build();
    assertThat(lenient.identities()).containsExactly("alice", "bob");
    assertThat(lenient.droppedIdentities()).containsExactly("carol");
  }

  @Test
  void sameAgeTwiceAndNonAgeFilesAreRefused() throws IOException {
    community(false);
    TestData.write(TestData.solid(8, 8, 0), tmp.resolve("bob").resolve("080.png"));
    assertThatThrownBy(() -> DatasetLayout.scan(tmp)).isInstanceOf(IOException.class)
        .hasMessageContaining("bob has age 80 twice");
    Files.delete(tmp.resolve("bob").resolve("080.png"));
    TestData.write(TestData.solid(8, 8, 0), tmp.resolve("bob").resolve("smile.png"));
    // Neither layout: a clear message that mentions both.
    assertThatThrownBy(() -> DatasetLayout.scan(tmp)).isInstanceOf(IOException.class)
        .hasMessageContaining("DIR/<identity>/<age>.jpg");
  }
}
