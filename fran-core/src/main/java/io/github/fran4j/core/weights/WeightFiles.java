package io.github.fran4j.core.weights;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.weights.pth.PthReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads weight files whatever their format: the one entry point backends, the exporter and the
 * command line use, so that every tool accepts the same files.
 *
 * <p>The format is recognized by content, not by name: a safetensors header (an 8-byte
 * little-endian length followed by an opening brace), or a {@code torch.save} file (a zip archive, or the
 * legacy pickle/tar format, which {@link PthReader} rejects with instructions to re-save). ONNX
 * files are recognized by their {@code .onnx} extension only, since protobuf has no magic number;
 * they hold a graph rather than a state dict and are read by the fran-onnx module.
 *
 * <p>Stateless utility; thread-safe.
 */
public final class WeightFiles {
  private WeightFiles() {}

  /** The formats {@link #detect} tells apart. */
  public enum Format {
    /** A safetensors file ({@code .safetensors}), read by {@link SafeTensors}. */
    SAFETENSORS,
    /** A {@code torch.save} file ({@code .pth}, {@code .pt}), read by {@link PthReader}. */
    PTH,
    /** An ONNX model ({@code .onnx}); not a state dict. */
    ONNX,
    /** None of the above. */
    UNKNOWN
  }

  /**
   * Recognizes a file's format from its first bytes (and, for ONNX, its extension).
   *
   * @param file the file
   * @return the format, {@link Format#UNKNOWN} if not recognized
   * @throws IOException if the file cannot be read
   */
  public static Format detect(Path file) throws IOException {
    checkNotNull(file, "file");
    if (PthReader.looksLikePth(file)) {
      return Format.PTH;
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(9);
    }
    if (head.length == 9 && head[8] == '{') {
      long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (n >= 2 && n <= Files.size(file) - 8) {
        return Format.SAFETENSORS;
      }
    }
    Path name = file.getFileName();
    if (name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      return Format.ONNX;
    }
    return Format.UNKNOWN;
  }

  /**
   * Recognizes the format of a model held in memory from its content alone: safetensors and
   * {@code torch.save} by their first bytes as for files, ONNX by the protobuf tag that starts
   * every {@code ModelProto} writer's output (field 1, {@code ir_version}, as a varint: byte
   * {@code 0x08}). Only a backend can tell whether such bytes really are a valid ONNX model.
   *
   * @param bytes the model's bytes
   * @return the format, {@link Format#UNKNOWN} if not recognized
   */
  public static Format detect(byte[] bytes) {
    checkNotNull(bytes, "bytes");
    byte[] head = java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 512));
    if (PthReader.looksLikePth(head)) {
      return Format.PTH;
    }
    if (bytes.length >= 9 && bytes[8] == '{') {
      long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (n >= 2 && n <= bytes.length - 8) {
        return Format.SAFETENSORS;
      }
    }
    if (bytes.length > 1 && bytes[0] == ONNX_FIRST_BYTE) {
      return Format.ONNX;
    }
    return Format.UNKNOWN;
  }

  /** Protobuf tag of field 1 ({@code ModelProto.ir_version}) with wire type 0 (varint). */
  private static final byte ONNX_FIRST_BYTE = 0x08;

  /** An 8-byte length and then '{': how every safetensors file starts, valid or not. */
  private static boolean startsLikeSafetensors(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(9);
      return head.length == 9 && head[8] == '{';
    }
  }

  /** The formats {@link #read} takes, as backends list them. */
  public static final String FORMATS = ".safetensors, .pth/.pt (torch.save)";

  /**
   * Returns whether {@link #read} can read this file (safetensors or {@code torch.save}).
   *
   * @param file the file
   * @return true for weight files
   * @throws IOException if the file cannot be read
   */
  public static boolean isWeightFile(Path file) throws IOException {
    Format f = detect(file);
    return f == Format.SAFETENSORS || f == Format.PTH;
  }

  /**
   * Returns whether {@code file} is a readable regular file that {@link #isWeightFile} recognizes:
   * the test a backend's {@code supports} makes, which must answer rather than throw.
   *
   * @param file the file, or null
   * @return true for a readable weights file; false for null, a folder, an unreadable file or any
   *     other format
   */
  public static boolean isReadableWeightFile(Path file) {
    if (file == null || !java.nio.file.Files.isRegularFile(file)) {
      return false;
    }
    try {
      return isWeightFile(file);
    } catch (IOException | ModelFormatException e) {
      return false;
    }
  }

  /**
   * Reads a state dict from a safetensors or {@code torch.save} file.
   *
   * @param file the file
   * @return its weights (and metadata)
   * @throws ModelFormatException if the file is an ONNX model, of an unknown format, invalid for
   *     its format, or holds a NaN or infinite weight; the message says which and what to do
   * @throws IOException if the file cannot be read
   */
  public static StateDict read(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new java.io.FileNotFoundException("no weights file at " + file.toAbsolutePath());
    }
    return requireFinite(parse(file), file);
  }

  private static StateDict parse(Path file) throws IOException {
    switch (detect(file)) {
      case SAFETENSORS:
        return SafeTensors.read(file);
      case PTH:
        return PthReader.read(file);
      case ONNX:
        throw new ModelFormatException(
            file + ": an ONNX model holds a graph, not a state dict; run it with ReAger.load"
                + " (fran-onnx on the class path) or start from the .pth/.safetensors weights");
      default:
        if (startsLikeSafetensors(file)) {
          // A safetensors header cut short or corrupted: the parser says exactly what is wrong
          // (e.g. "header length 60 goes beyond the file's 27 bytes; the file is truncated").
          return SafeTensors.read(file);
        }
        throw new ModelFormatException(
            file + ": unknown weights format; expected a .safetensors file or a torch.save"
                + " .pth/.pt file (zip)");
    }
  }

  /**
   * Reads a state dict held in memory, e.g. received by a server that never writes it to disk.
   *
   * @param bytes the safetensors file's bytes
   * @param name a name for messages, e.g. the upload's file name
   * @return its weights (and metadata)
   * @throws ModelFormatException if the bytes are not a valid safetensors file or hold a NaN or
   *     infinite weight; for {@code torch.save} and ONNX bytes, saying what to do instead
   */
  public static StateDict read(byte[] bytes, String name) {
    checkNotNull(bytes, "bytes");
    checkNotNull(name, "name");
    switch (detect(bytes)) {
      case SAFETENSORS:
        return requireFinite(SafeTensors.read(bytes, name), name);
      case PTH:
        // PthReader guards a zip's central directory through java.util.zip.ZipFile, which reads
        // files only; writing the bytes to a temporary file would break the no-disk promise.
        throw new ModelFormatException(name + ": torch.save (.pth/.pt) weights can only be read"
            + " from a file; load it with ReAger.load(Path), or convert it once to .safetensors"
            + " (WeightFiles.read + SafeTensors.write) to load it from memory");
      case ONNX:
        throw new ModelFormatException(name + ": an ONNX model holds a graph, not a state dict;"
            + " run it with ReAger.load (fran-onnx on the class path)");
      default:
        if (bytes.length >= 9 && bytes[8] == '{') {
          return SafeTensors.read(bytes, name); // says exactly what is wrong with the header
        }
        throw new ModelFormatException(name + ": unknown weights format; expected the bytes of a"
            + " .safetensors file");
    }
  }

  /**
   * Refuses weights holding NaN or infinite values, which would make every output black (or
   * garbage) without any error.
   *
   * @param weights the weights
   * @param source the file, for the message
   * @return {@code weights}
   * @throws ModelFormatException naming the first tensor with a non-finite value, how many it
   *     holds and where the first one is
   */
  public static StateDict requireFinite(StateDict weights, Path source) throws ModelFormatException {
    return requireFinite(weights, String.valueOf(source));
  }

  private static StateDict requireFinite(StateDict weights, String source) {
    for (java.util.Map.Entry<String, io.github.fran4j.core.tensor.Tensor> e
        : weights.tensors().entrySet()) {
      if (!e.getValue().dtype().isFloating()) {
        continue;
      }
      java.nio.FloatBuffer b = e.getValue().floatBuffer();
      int bad = 0;
      int first = -1;
      for (int i = 0; i < b.limit(); i++) {
        if (!Float.isFinite(b.get(i))) {
          if (bad++ == 0) {
            first = i;
          }
        }
      }
      if (bad > 0) {
        throw new ModelFormatException(source + ": tensor '" + e.getKey() + "' holds " + bad
            + " non-finite value(s) (first: " + b.get(first) + " at flat index " + first
            + " of " + b.limit() + "); expected finite weights. The training run that wrote it "
            + "probably diverged: use an earlier checkpoint");
      }
    }
    return weights;
  }
}
