/**
 * Backends that ship with fran-core: {@link io.github.fran4j.core.backend.PureJavaBackendProvider}
 * runs {@code .safetensors} models on the CPU with the pure-Java reference forward pass, so that
 * small models work with no native code at all.
 */
package io.github.fran4j.core.backend;
