package io.github.fran4j.training.loss;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws the discriminator's "wrong" target ages: for each sample, an age chosen uniformly from the
 * dataset's ages other than that sample's target age. Thread-safe (immutable; the caller supplies
 * the random source).
 */
public final class WrongAges {
  private final int[] ages;

  /**
   * Creates the sampler.
   *
   * @param datasetAges the dataset's distinct ages; at least two
   */
  public WrongAges(int[] datasetAges) {
    checkNotNull(datasetAges, "datasetAges");
    int[] distinct = Arrays.stream(datasetAges).distinct().sorted().toArray();
    checkArgument(
        distinct.length >= 2,
        "a wrong age needs at least two distinct dataset ages, got %s",
        Arrays.toString(datasetAges));
    this.ages = distinct;
  }

  /**
   * Draws one wrong age per sample.
   *
   * @param targetAges the samples' target ages, each one of the dataset's ages
   * @param random the random source (advanced by one draw per sample)
   * @return ages with {@code result[i] != targetAges[i]}
   */
  public int[] draw(int[] targetAges, SplittableRandom random) {
    int[] out = new int[targetAges.length];
    for (int i = 0; i < targetAges.length; i++) {
      int idx = Arrays.binarySearch(ages, targetAges[i]);
      checkArgument(
          idx >= 0, "target age %s is not a dataset age %s", targetAges[i], Arrays.toString(ages));
      // Draw among the n - 1 others: skip over the target's own slot.
      int k = random.nextInt(ages.length - 1);
      out[i] = ages[k >= idx ? k + 1 : k];
    }
    return out;
  }
}
