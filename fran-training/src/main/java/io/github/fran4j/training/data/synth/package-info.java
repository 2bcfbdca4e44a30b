/**
 * A procedural, offline aging dataset: one synthetic identity per row, rendered at every age with
 * spatially structured aging cues, written in the {@link io.github.fran4j.training.data.AgeDataset}
 * folder layout.
 */
package io.github.fran4j.training.data.synth;
