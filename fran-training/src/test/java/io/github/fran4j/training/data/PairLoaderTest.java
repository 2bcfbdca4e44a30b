package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairLoaderTest {
  private static final List<String> IDS = List.of("0001", "0002", "0003", "0004", "0005");
  private static final List<Integer> AGES = List.of(20, 40, 60);

  @TempDir Path tmp;

  private AgeDataset dataset(boolean lenient) throws IOException {
    TestData.grid(tmp, IDS, AGES, 24);
    return AgeDataset.builder(tmp).optResolution(16).optLenient(lenient).build();
  }

  private static float[] array(FloatBuffer b) {
    float[] a = new float[b.remaining()];
    b.get(a);
    return a;
  }

  private static List<PairBatch> drain(Iterator<PairBatch> it) {
    List<PairBatch> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<Thread> loaderThreads() {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(PairLoader.THREAD_PREFIX) && t.isAlive()) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void batchesCarryTheRightCellsAndAgesInYears() throws IOException {
    AgeDataset ds = dataset(false);
    AgeBatchSampler sampler = AgeBatchSampler.builder(ds).optIdentitiesPerBatch(2).optSeed(3).build();
    try (PairLoader loader =
        PairLoader.builder(ds, sampler)
            .optAugmentation(PairAugmentation.none(16))
            .optWorkers(2)
            .build()) {
      List<PairBatch> batches = drain(loader.epoch(0));
      // 5 identities x 3 ages / (2 x 2) = 3 batches.
      assertThat(batches).hasSize(3);
      for (PairBatch b : batches) {
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.imageShape()).containsExactly(2, 3, 16, 16);
        float[] a = array(b.imagesA());
        float[] t = array(b.imagesB());
        float[] agesA = b.agesA();
        float[] agesB = b.agesB();
        for (int i = 0; i < b.size(); i++) {
          PairSpec p = b.pairs().get(i);
          // Each cell's image is a solid colour encoding (identity, age index): check that image A
          // really is the cell whose age is reported, at a pixel and per channel.
          int[] wantA = TestData.rgb(TestData.colour(p.identity(), p.ageIndexA()));
          int[] wantB = TestData.rgb(TestData.colour(p.identity(), p.ageIndexB()));
          int plane = 16 * 16;
          for (int c = 0; c < 3; c++) {
            assertThat(a[i * 3 * plane + c * plane + 37]).isEqualTo(wantA[c] / 255f);
            assertThat(t[i * 3 * plane + c * plane + 200]).isEqualTo(wantB[c] / 255f);
          }
          assertThat(agesA[i]).isEqualTo((float) AGES.get(p.ageIndexA()));
          assertThat(agesB[i]).isEqualTo((float) AGES.get(p.ageIndexB()));
        }
        assertThat(b.pairs()).isEqualTo(sampler.batch(0, b.index()));
      }
    }
  }

  @Test
  void outputIsIdenticalForAnyNumberOfWorkers() throws IOException {
    AgeDataset ds = dataset(false);
    AgeBatchSampler sampler = AgeBatchSampler.builder(ds).optIdentitiesPerBatch(2).optSeed(9).build();
    List<List<PairBatch>> runs = new ArrayList<>();
    for (int workers : new int[] {0, 1, 3}) {
      try (PairLoader loader =
          PairLoader.builder(ds, sampler).optWorkers(workers).optPrefetch(2).build()) {
        List<PairBatch> all = drain(loader.epoch(0));
        all.addAll(drain(loader.epoch(1)));
        runs.add(all);
      }
    }
    List<PairBatch> ref = runs.get(0);
    assertThat(ref).hasSize(6);
    for (List<PairBatch> run : runs.subList(1, runs.size())) {
      assertThat(run).hasSize(ref.size());
      for (int i = 0; i < ref.size(); i++) {
        assertThat(run.get(i).pairs()).isEqualTo(ref.get(i).pairs());
        assertThat(array(run.get(i).imagesA())).containsExactly(array(ref.get(i).imagesA()));
        assertThat(array(run.get(i).imagesB())).containsExactly(array(ref.get(i).imagesB()));
        assertThat(run.get(i).agesB()).containsExactly(ref.get(i).agesB());
      }
    }
    // The augmentation did something (the reference ranges are on by default), so the check
    // above compares augmented pixels, not plain copies of the files.
    PairSpec p0 = ref.get(0).pairs().get(0);
    int[] plain = TestData.rgb(TestData.colour(p0.identity(), p0.ageIndexA()));
    assertThat(array(ref.get(0).imagesA())[100]).isNotEqualTo(plain[0] / 255f);
    // load() on the caller's thread gives the same batch as the iterator.
    try (PairLoader loader = PairLoader.builder(ds, sampler).optWorkers(1).build()) {
      assertThat(array(loader.load(1, 2).imagesA())).containsExactly(array(ref.get(5).imagesA()));
    }
  }

  @Test
  void closeStopsEveryWorkerAndIsIdempotent() throws Exception {
    AgeDataset ds = dataset(false);
    AgeBatchSampler sampler =
        AgeBatchSampler.builder(ds).optIdentitiesPerBatch(2).optBatchesPerEpoch(200).build();
    PairLoader loader = PairLoader.builder(ds, sampler).optWorkers(3).optPrefetch(6).build();
    Iterator<PairBatch> it = loader.epoch(0);
    it.next();
    List<Thread> mine = loaderThreads();
    assertThat(mine).isNotEmpty();
    // Closed in the middle of an epoch, with batches still loading.
    loader.close();
    loader.close();
    for (Thread t : mine) {
      t.join(10_000);
      assertThat(t.isAlive()).as("thread %s", t.getName()).isFalse();
    }
    assertThatThrownBy(it::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after close");
    assertThatThrownBy(() -> loader.epoch(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after close");
  }

  @Test
  void aNewEpochCancelsTheUnfinishedOne() throws IOException {
    AgeDataset ds = dataset(false);
    AgeBatchSampler sampler = AgeBatchSampler.builder(ds).optIdentitiesPerBatch(2).build();
    try (PairLoader loader = PairLoader.builder(ds, sampler).optWorkers(2).build()) {
      Iterator<PairBatch> first = loader.epoch(0);
      first.next();
      Iterator<PairBatch> second = loader.epoch(1);
      assertThat(first.hasNext()).isFalse();
      assertThatThrownBy(first::next).hasMessageContaining("cancelled by a newer epoch()");
      assertThat(drain(second)).hasSize(3);
      assertThatThrownBy(second::next).hasMessageContaining("has only 3 batches");
    }
  }

  @Test
  void strictDatasetsFailOnAnUnreadableImageNamingIt() throws IOException {
    AgeDataset ds = dataset(false);
    Path bad = ds.path(0, 1);
    Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
    AgeBatchSampler sampler =
        AgeBatchSampler.builder(ds).optIdentitiesPerBatch(5).optBatchesPerEpoch(20).build();
    try (PairLoader loader = PairLoader.builder(ds, sampler).optWorkers(2).build()) {
      Iterator<PairBatch> it = loader.epoch(0);
      assertThatThrownBy(() -> drain(it))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(bad.toString());
    }
  }

  @Test
  void lenientDatasetsReplaceUnreadableImagesWithTheNextAge() throws IOException {
    AgeDataset ds = dataset(true);
    Files.write(ds.path(0, 1), new byte[] {1, 2, 3});
    AgeBatchSampler sampler =
        AgeBatchSampler.builder(ds).optIdentitiesPerBatch(5).optBatchesPerEpoch(20).build();
    List<PairBatch> once;
    try (PairLoader loader =
        PairLoader.builder(ds, sampler)
            .optAugmentation(PairAugmentation.none(16))
            .optWorkers(2)
            .build()) {
      once = drain(loader.epoch(0));
      assertThat(loader.skippedImages()).isPositive();
    }
    boolean replaced = false;
    for (PairBatch b : once) {
      float[] ages = b.agesA();
      float[] img = array(b.imagesA());
      for (int i = 0; i < b.size(); i++) {
        PairSpec p = b.pairs().get(i);
        if (p.identity() == 0) {
          // Identity 0 never reports the broken age 40 (index 1); it gets age 60 instead.
          assertThat(p.ageIndexA()).isNotEqualTo(1);
          assertThat(img[i * 768]).isEqualTo(TestData.rgb(TestData.colour(0, p.ageIndexA()))[0] / 255f);
          replaced |= sampler.batch(0, b.index()).get(i).ageIndexA() == 1;
          assertThat(ages[i]).isEqualTo((float) AGES.get(p.ageIndexA()));
        }
      }
    }
    assertThat(replaced).as("the sampler asked for the broken cell at least once").isTrue();
  }

  @Test
  void mismatchedSamplerIsRejected() throws IOException {
    AgeDataset ds = dataset(false);
    AgeBatchSampler wrong = AgeBatchSampler.builder(4, 3).build();
    int before = loaderThreads().size();
    assertThatThrownBy(() -> PairLoader.builder(ds, wrong).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 identities x 3 ages");
    assertThat(loaderThreads()).as("no workers started for a rejected loader").hasSize(before);
  }
}
