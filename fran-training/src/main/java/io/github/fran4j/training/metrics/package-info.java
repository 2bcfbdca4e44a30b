/**
 * Measures whether a re-aging model ages: L1 and PSNR against the identity baseline, the share of
 * the true change a model captures per target-age band, and the correlation of predicted and true
 * deltas. Shared by the trainer's validation, {@code fran demo} and {@code fran eval}.
 */
package io.github.fran4j.training.metrics;
