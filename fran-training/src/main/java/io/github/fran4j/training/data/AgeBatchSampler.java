package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses the pairs of each batch, as the reference's sampler intends: a batch takes {@code k}
 * identities (default 4, i.e. the reference's mini-batch of 8 images) and, for each, draws the ages
 * of A and B uniformly from that identity's row with replacement (for a dataset with gaps, from
 * the ages that identity has, see {@link AgeDataset#ageIndicesOf}).
 *
 * <p>Each epoch lays out whole random permutations of the identities one after another (the next
 * permutation continues where the previous one ended) and cuts that sequence into batches of
 * {@code k}. So every identity appears equally often per epoch, plus or minus one, and within a
 * batch the identities are distinct whenever {@code k <= identities} (at a permutation boundary the
 * new permutation's head is reordered to avoid repeats). The reference instead slid its identity
 * window by one per batch, which over-weights some identities.
 *
 * <p>Batches per epoch default to {@code identities x ages / (2k)} (at least 1), the reference's
 * count. Everything is a pure function of (seed, epoch, batch index): {@link #batch(long, int)} can
 * be called in any order, from any thread. Immutable and thread-safe.
 */
public final class AgeBatchSampler {
  /** The reference's identities per batch (a mini-batch of 8 images = 4 pairs). */
  public static final int DEFAULT_IDENTITIES_PER_BATCH = 4;

  private final int identities;
  private final int ages;
  private final int[][] available; // null: every identity has every age
  private final int k;
  private final int batchesPerEpoch;
  private final long seed;

  private AgeBatchSampler(Builder b) {
    this.identities = b.identities;
    this.ages = b.ages;
    this.available = b.available;
    this.k = b.k;
    this.seed = b.seed;
    this.batchesPerEpoch =
        b.batchesPerEpoch > 0 ? b.batchesPerEpoch : Math.max(1, identities * ages / (2 * k));
  }

  /**
   * Returns a builder for a sampler over a dataset's grid.
   *
   * @param dataset the dataset to sample
   * @return a builder with the dataset's identity and age counts
   */
  public static Builder builder(AgeDataset dataset) {
    Builder b = builder(dataset.identityCount(), dataset.ageCount());
    if (!dataset.complete()) {
      int[][] has = new int[dataset.identityCount()][];
      for (int i = 0; i < has.length; i++) {
        has[i] = dataset.ageIndicesOf(i);
      }
      b.available = has;
    }
    return b;
  }

  /**
   * Returns a builder for a sampler over an {@code identities x ages} grid.
   *
   * @param identities number of identities, at least 1
   * @param ages number of ages, at least 1
   * @return a builder
   */
  public static Builder builder(int identities, int ages) {
    return new Builder(identities, ages);
  }

  /** {@return the number of identities sampled from} */
  public int identityCount() {
    return identities;
  }

  /** {@return the number of ages per identity} */
  public int ageCount() {
    return ages;
  }

  /** {@return the pairs (identities) per batch} */
  public int identitiesPerBatch() {
    return k;
  }

  /** {@return the number of batches in each epoch} */
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** {@return the seed} */
  public long seed() {
    return seed;
  }

  /**
   * Returns all batches of one epoch.
   *
   * @param epoch the epoch number, any value (0-based by convention)
   * @return {@link #batchesPerEpoch()} batches of {@link #identitiesPerBatch()} pairs each
   */
  public ImmutableList<ImmutableList<PairSpec>> epoch(long epoch) {
    int[] order = identityOrder(epoch);
    ImmutableList.Builder<ImmutableList<PairSpec>> out = ImmutableList.builder();
    for (int b = 0; b < batchesPerEpoch; b++) {
      out.add(pairs(epoch, b, order));
    }
    return out.build();
  }

  /**
   * Returns one batch; equal to {@code epoch(epoch).get(batch)}.
   *
   * @param epoch the epoch number
   * @param batch the batch index in [0, {@link #batchesPerEpoch()})
   * @return {@link #identitiesPerBatch()} pairs
   */
  public ImmutableList<PairSpec> batch(long epoch, int batch) {
    checkElementIndex(batch, batchesPerEpoch, "batch");
    return pairs(epoch, batch, identityOrder(epoch));
  }

  private ImmutableList<PairSpec> pairs(long epoch, int batch, int[] order) {
    // Ages and augmentation seeds come from a stream keyed by (seed, epoch, batch), so a batch does
    // not depend on which batches were asked for before it.
    SplittableRandom rnd = new SplittableRandom(mix(mix(seed, epoch), 0x9E3779B97F4A7C15L + batch));
    ImmutableList.Builder<PairSpec> out = ImmutableList.builder();
    for (int j = 0; j < k; j++) {
      int id = order[batch * k + j];
      int a;
      int b;
      if (available == null) {
        a = rnd.nextInt(ages);
        b = rnd.nextInt(ages);
      } else {
        int[] has = available[id];
        a = has[rnd.nextInt(has.length)];
        b = has[rnd.nextInt(has.length)];
      }
      out.add(new PairSpec(id, a, b, rnd.nextLong()));
    }
    return out.build();
  }

  /** The epoch's identity sequence: concatenated permutations, cut to batches x k. */
  private int[] identityOrder(long epoch) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, ~epoch));
    int total = batchesPerEpoch * k;
    int[] seq = new int[total];
    int filled = 0;
    while (filled < total) {
      int[] perm = permutation(rnd);
      int batchStart = filled - filled % k;
      if (filled % k != 0 && k <= identities) {
        // The current batch already holds seq[batchStart..filled); move identities it holds to
        // later positions of the new permutation so the batch stays duplicate-free.
        Set<Integer> held = new HashSet<>();
        for (int i = batchStart; i < filled; i++) {
          held.add(seq[i]);
        }
        int need = k - filled % k;
        for (int i = 0; i < need; i++) {
          if (held.contains(perm[i])) {
            for (int j = need; j < perm.length; j++) {
              if (!held.contains(perm[j])) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                break;
              }
            }
          }
        }
      }
      int n = Math.min(perm.length, total - filled);
      System.arraycopy(perm, 0, seq, filled, n);
      filled += n;
    }
    return seq;
  }

  private int[] permutation(SplittableRandom rnd) {
    int[] p = new int[identities];
    for (int i = 0; i < identities; i++) {
      p[i] = i;
    }
    for (int i = identities - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A 64-bit finaliser (MurmurHash3 fmix64) to derive independent stream seeds. */
  static long mix(long a, long b) {
    long z = a * 0xC2B2AE3D27D4EB4FL + b;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  @Override
  public String toString() {
    return "AgeBatchSampler{identities=" + identities + ", ages=" + ages + ", k=" + k
        + ", batchesPerEpoch=" + batchesPerEpoch + ", seed=" + seed + "}";
  }

  /** Builds an {@link AgeBatchSampler}. Not thread-safe. */
  public static final class Builder {
    private final int identities;
    private final int ages;
    private int k = DEFAULT_IDENTITIES_PER_BATCH;
    private int[][] available; // per identity, the age indices it has; null = all
    private int batchesPerEpoch;
    private long seed;

    private Builder(int identities, int ages) {
      checkArgument(identities >= 1, "need at least 1 identity, got %s", identities);
      checkArgument(ages >= 1, "need at least 1 age, got %s", ages);
      this.identities = identities;
      this.ages = ages;
    }

    /**
     * Sets the identities (pairs) per batch; the batch holds twice as many images.
     *
     * @param k at least 1 (default 4)
     * @return this builder
     */
    public Builder optIdentitiesPerBatch(int k) {
      checkArgument(k >= 1, "identities per batch must be >= 1, got %s", k);
      this.k = k;
      return this;
    }

    /**
     * Overrides the number of batches per epoch.
     *
     * @param batches at least 1; 0 restores the default {@code identities x ages / (2k)}
     * @return this builder
     */
    public Builder optBatchesPerEpoch(int batches) {
      checkArgument(batches >= 0, "batches per epoch must be >= 0 (0 = default), got %s", batches);
      this.batchesPerEpoch = batches;
      return this;
    }

    /**
     * Sets the seed (default 0).
     *
     * @param seed any value
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /** {@return the sampler} */
    public AgeBatchSampler build() {
      return new AgeBatchSampler(this);
    }
  }

  /** Returns the identities of a batch, for tests and logging. */
  static List<Integer> identitiesOf(List<PairSpec> batch) {
    List<Integer> ids = new ArrayList<>();
    for (PairSpec p : batch) {
      ids.add(p.identity());
    }
    return ids;
  }
}
