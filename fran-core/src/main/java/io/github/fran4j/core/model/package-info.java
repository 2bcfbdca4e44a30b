/**
 * The generator's architecture and its reference implementation:
 * {@link io.github.fran4j.core.model.UNetConfig} (the one architecture value),
 * {@link io.github.fran4j.core.model.UNetLayout} (PyTorch parameter names and shapes, and the
 * check that a state dict matches them) and {@link io.github.fran4j.core.model.ReferenceUNet}
 * (the pure-Java forward pass every other implementation is tested against).
 */
package io.github.fran4j.core.model;
