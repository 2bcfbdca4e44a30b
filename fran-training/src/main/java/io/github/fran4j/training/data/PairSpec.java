package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One training pair chosen by {@link AgeBatchSampler}: an identity, the age index of the input
 * image A and of the target image B (equal indices are allowed, as in the reference), and the seed
 * of the pair's augmentation draw, so that loading a pair is a pure function of this value.
 *
 * @param identity identity index into {@link AgeDataset#identities()}
 * @param ageIndexA age index of the input image
 * @param ageIndexB age index of the target image
 * @param augmentationSeed the seed for {@link PairAugmentation#draw(long)}
 */
public record PairSpec(int identity, int ageIndexA, int ageIndexB, long augmentationSeed) {
  /**
   * Validates the indices.
   *
   * @param identity identity index, non-negative
   * @param ageIndexA age index, non-negative
   * @param ageIndexB age index, non-negative
   * @param augmentationSeed any value
   */
  public PairSpec {
    checkArgument(identity >= 0, "identity index must be >= 0, got %s", identity);
    checkArgument(ageIndexA >= 0 && ageIndexB >= 0,
        "age indices must be >= 0, got %s and %s", ageIndexA, ageIndexB);
  }
}
