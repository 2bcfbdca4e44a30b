package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class AgeBatchSamplerProperties {

  private static AgeBatchSampler sampler(int ids, int ages, int k, long seed) {
    return AgeBatchSampler.builder(ids, ages).optIdentitiesPerBatch(k).optSeed(seed).build();
  }

  @Property(tries = 200)
  void batchesPerEpochFollowTheReferenceFormula(
      @ForAll @IntRange(min = 1, max = 300) int ids,
      @ForAll @IntRange(min = 1, max = 20) int ages,
      @ForAll @IntRange(min = 1, max = 8) int k) {
    int expected = Math.max(1, ids * ages / (2 * k));
    assertThat(sampler(ids, ages, k, 0).batchesPerEpoch()).isEqualTo(expected);
  }

  @Property(tries = 300)
  void everyIdentityAppearsEquallyOftenPerEpochPlusOrMinusOne(
      @ForAll @IntRange(min = 1, max = 60) int ids,
      @ForAll @IntRange(min = 1, max = 6) int ages,
      @ForAll @IntRange(min = 1, max = 6) int k,
      @ForAll @IntRange(min = 0, max = 40) int batches,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 5) int epoch) {
    AgeBatchSampler s =
        AgeBatchSampler.builder(ids, ages)
            .optIdentitiesPerBatch(k)
            .optBatchesPerEpoch(batches)
            .optSeed(seed)
            .build();
    int[] count = new int[ids];
    for (List<PairSpec> b : s.epoch(epoch)) {
      for (PairSpec p : b) {
        count[p.identity()]++;
      }
    }
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    long total = 0;
    for (int c : count) {
      min = Math.min(min, c);
      max = Math.max(max, c);
      total += c;
    }
    assertThat(total).isEqualTo((long) s.batchesPerEpoch() * k);
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  @Property(tries = 300)
  void batchesHoldKDistinctIdentitiesAndValidAges(
      @ForAll @IntRange(min = 1, max = 40) int ids,
      @ForAll @IntRange(min = 1, max = 16) int ages,
      @ForAll @IntRange(min = 1, max = 8) int k,
      @ForAll long seed) {
    AgeBatchSampler s = sampler(ids, ages, k, seed);
    for (List<PairSpec> b : s.epoch(3)) {
      assertThat(b).hasSize(k);
      Set<Integer> seen = new HashSet<>();
      for (PairSpec p : b) {
        assertThat(p.identity()).isBetween(0, ids - 1);
        assertThat(p.ageIndexA()).isBetween(0, ages - 1);
        assertThat(p.ageIndexB()).isBetween(0, ages - 1);
        seen.add(p.identity());
      }
      if (k <= ids) {
        assertThat(seen).as("identities of %s", b).hasSize(k);
      }
    }
  }

  @Property(tries = 100)
  void deterministicForASeedAndIndependentOfAccessOrder(
      @ForAll @IntRange(min = 1, max = 30) int ids,
      @ForAll @IntRange(min = 1, max = 8) int ages,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 1000) int epoch) {
    AgeBatchSampler a = sampler(ids, ages, 4, seed);
    AgeBatchSampler b = sampler(ids, ages, 4, seed);
    ImmutableList<ImmutableList<PairSpec>> all = a.epoch(epoch);
    assertThat(b.epoch(epoch)).isEqualTo(all);
    for (int i = all.size() - 1; i >= 0; i--) {
      assertThat(b.batch(epoch, i)).isEqualTo(all.get(i));
    }
  }

  @Example
  void identityOrderChangesBetweenEpochsAndSeeds() {
    AgeBatchSampler s = sampler(50, 16, 4, 7);
    assertThat(AgeBatchSampler.identitiesOf(s.batch(0, 0)))
        .isNotEqualTo(AgeBatchSampler.identitiesOf(s.batch(1, 0)));
    assertThat(s.epoch(0)).isNotEqualTo(sampler(50, 16, 4, 8).epoch(0));
  }

  @Example
  void agesAreDrawnUniformlyWithReplacement() {
    int ages = 4;
    AgeBatchSampler s = sampler(10, ages, 5, 11);
    int[] countA = new int[ages];
    int same = 0;
    int n = 0;
    for (int e = 0; e < 200; e++) {
      for (List<PairSpec> b : s.epoch(e)) {
        for (PairSpec p : b) {
          countA[p.ageIndexA()]++;
          same += p.ageIndexA() == p.ageIndexB() ? 1 : 0;
          n++;
        }
      }
    }
    // n = 200 epochs x 4 batches x 5 = 4000 pairs: expected 1000 per age and P(A == B) = 1/4;
    // the bounds are about 5 standard deviations wide.
    assertThat(n).isEqualTo(4000);
    for (int c : countA) {
      assertThat(c).isBetween(860, 1140);
    }
    assertThat(same).isBetween(860, 1140);
  }

  @Example
  void badArgumentsAreRejectedWithTheValue() {
    assertThatThrownBy(() -> AgeBatchSampler.builder(0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> AgeBatchSampler.builder(3, 3).optIdentitiesPerBatch(0))
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> sampler(3, 3, 1, 0).batch(0, 99))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("batch");
  }
}
