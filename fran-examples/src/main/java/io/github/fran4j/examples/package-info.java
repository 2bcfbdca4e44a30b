/**
 * Small example programs, one {@code public static void main} each, that show the SDK's main uses:
 * {@link io.github.fran4j.examples.ReageOneImage}, {@link io.github.fran4j.examples.AgeSweepStrip},
 * {@link io.github.fran4j.examples.ExportToOnnx}, {@link io.github.fran4j.examples.BatchProcessFolder}
 * {@link io.github.fran4j.examples.CustomFaceDetector} and
 * {@link io.github.fran4j.examples.TrainOnYourFolder}. Each takes its paths as arguments, so
 * the tests run them at a tiny size; {@code docs/examples.md} gives the command to run each.
 */
package io.github.fran4j.examples;
