/**
 * Model weights: {@link io.github.fran4j.core.weights.StateDict}, the ordered map from PyTorch-style
 * parameter names to tensors that every part of FRAN for Java exchanges, and
 * {@link io.github.fran4j.core.weights.SafeTensors}, its safetensors reader and writer.
 */
package io.github.fran4j.core.weights;
