/**
 * Reads PyTorch {@code torch.save} checkpoints ({@code .pth}/{@code .pt}) in pure Java, without
 * executing anything: {@link io.github.fran4j.core.weights.pth.PthReader}.
 *
 * <p>The zip container is read through a guard against hostile archives (entry count, declared
 * and real sizes, total size, compression ratio, path tricks) and {@code data.pkl} through a
 * restricted unpickler that only understands the opcodes and the handful of globals a state dict
 * needs. Everything else is a {@link io.github.fran4j.core.ModelFormatException} naming the
 * offending part of the file.
 */
package io.github.fran4j.core.weights.pth;
