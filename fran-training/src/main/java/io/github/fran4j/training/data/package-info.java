/**
 * Training data: the age-folder dataset ({@link io.github.fran4j.training.data.AgeDataset}), the
 * identity-balanced pair sampler ({@link io.github.fran4j.training.data.AgeBatchSampler}), paired
 * augmentation ({@link io.github.fran4j.training.data.PairAugmentation}) and a parallel,
 * deterministic loader ({@link io.github.fran4j.training.data.PairLoader}) producing plain-Java
 * {@link io.github.fran4j.training.data.PairBatch} values.
 *
 * <p>This package knows no tensor engine: batches are float arrays in NCHW order with RGB in [0, 1]
 * and ages in years, so a trainer on any engine wraps them without copying twice.
 */
package io.github.fran4j.training.data;
