/**
 * File output that never leaves a half-written file: {@link io.github.fran4j.core.io.AtomicFiles}
 * writes to a temporary file next to the target and renames it over the target only once it is
 * complete, the one path every file FRAN writes goes through.
 */
package io.github.fran4j.core.io;
