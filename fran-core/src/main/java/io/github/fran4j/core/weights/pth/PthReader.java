package io.github.fran4j.core.weights.pth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.DTypeCodec;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the weights of a PyTorch {@code torch.save} file ({@code .pth}, {@code .pt}) into a
 * {@link StateDict}, in pure Java and without executing anything from the file.
 *
 * <p>Accepted: the zip format {@code torch.save} writes by default since PyTorch 1.6
 * ({@code <archive>/data.pkl}, {@code <archive>/data/<key>} storages, optional
 * {@code <archive>/byteorder}), holding either a bare state dict ({@code model.state_dict()}) or a
 * checkpoint dict whose {@code model_state_dict} (or {@code state_dict}) entry is one; other
 * entries of a checkpoint (epoch, optimizer and scheduler states) are parsed but not converted,
 * and its scalar entries become metadata {@code pth.<key>} (e.g. {@code pth.epoch}). Names that all
 * start with {@code module.} ({@code nn.DataParallel}) lose that prefix. Tensors may be strided
 * views with storage offsets; float32, float16 and bfloat16 tensors keep their dtype, int64 ones
 * (BatchNorm's {@code num_batches_tracked}) stay integers.
 *
 * <p>The pickle is read by a restricted unpickler that understands protocol 2 to 5 opcodes but
 * never calls anything. It accepts exactly these globals and rejects any other with a
 * {@link ModelFormatException} naming it (before anything else happens):
 *
 * <ul>
 *   <li>{@code collections.OrderedDict} (called with no arguments or a list of pairs);
 *   <li>{@code torch._utils._rebuild_tensor_v2} and {@code torch._utils._rebuild_tensor} (a
 *       strided view of a storage);
 *   <li>{@code torch._utils._rebuild_parameter} and
 *       {@code torch._utils._rebuild_parameter_with_state} (a parameter is read as its tensor);
 *   <li>the typed storage tags {@code torch.FloatStorage}, {@code HalfStorage},
 *       {@code BFloat16Storage}, {@code LongStorage}, {@code DoubleStorage}, {@code IntStorage},
 *       {@code ShortStorage}, {@code CharStorage}, {@code ByteStorage} and {@code BoolStorage},
 *       only inside {@code ('storage', type, key, location, numel)} persistent ids (the last six
 *       are parsed so that optimizer states do not fail, but a model tensor stored in them is an
 *       error);
 *   <li>no {@code builtins} at all: a plain state dict needs none (dicts, lists, tuples, sets and
 *       scalars have their own opcodes). In particular {@code torch.storage._load_from_bytes},
 *       {@code numpy.*} and {@code builtins.*} are refused.
 * </ul>
 *
 * <p>Hostile files fail with a {@link ModelFormatException} rather than exhausting memory or the
 * stack: see the {@code opt*} limits of {@link Builder}. The legacy (pre-1.6, non-zip) format and
 * TorchScript archives are recognized and rejected with instructions to re-save.
 *
 * <p>Instances are immutable and thread-safe; each {@link #load} call works on its own state.
 */
public final class PthReader {

  private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_.]{1,64}");
  private static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");
  private static final int MAX_METADATA_CHARS = 1024;

  private final Limits limits;
  private final String stateDictKey;

  private PthReader(Builder b) {
    this.limits =
        new Limits(
            b.maxEntries,
            b.maxEntryBytes,
            b.maxTotalBytes,
            b.maxCompressionRatio,
            b.maxPickleBytes,
            b.maxMemo,
            b.maxStack,
            b.maxNesting,
            b.maxStringBytes,
            b.maxExpansion);
    this.stateDictKey = b.stateDictKey;
  }

  /**
   * Reads a {@code torch.save} file with the default limits.
   *
   * @param file the {@code .pth}/{@code .pt} file
   * @return its state dict
   * @throws ModelFormatException if the file is not a supported, safe {@code torch.save} file
   * @throws IOException if it cannot be read
   */
  public static StateDict read(Path file) throws IOException {
    return builder().build().load(file);
  }

  /** {@return a builder with the default limits} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns whether a file's first bytes look like a {@code torch.save} file: a zip archive, a
   * legacy pickle or a legacy tar. Cheap: reads at most 512 bytes.
   *
   * @param file the file
   * @return true if {@link #load} should be tried
   * @throws IOException if the file cannot be read
   */
  public static boolean looksLikePth(Path file) throws IOException {
    return looksLikePth(head(file, 512));
  }

  /**
   * Returns whether bytes start like a {@code torch.save} file: a zip archive, a legacy pickle or
   * a legacy tar.
   *
   * @param head the first bytes (512 suffice)
   * @return true if they look like a {@code torch.save} file
   */
  public static boolean looksLikePth(byte[] head) {
    return isZip(head) || isPickle(head) || isTar(head);
  }

  private static byte[] head(Path file, int n) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(n);
    }
  }

  private static boolean isZip(byte[] h) {
    return h.length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;
  }

  private static boolean isPickle(byte[] h) {
    return h.length >= 2 && (h[0] & 0xFF) == 0x80 && h[1] >= 0 && h[1] <= 5;
  }

  private static boolean isTar(byte[] h) {
    return h.length >= 262 && new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
  }

  /**
   * Reads a {@code torch.save} file.
   *
   * @param file the {@code .pth}/{@code .pt} file
   * @return its state dict, names in file order
   * @throws ModelFormatException if the file is legacy, TorchScript, hostile, truncated, holds no
   *     state dict, or holds a model tensor of an unsupported dtype; the message says which
   * @throws IOException if it cannot be read
   */
  public StateDict load(Path file) throws IOException {
    checkNotNull(file, "file");
    byte[] head = head(file, 512);
    if (!isZip(head)) {
      if (isPickle(head) || isTar(head)) {
        throw new ModelFormatException(
            file + ": legacy (non-zip) torch.save format, written by PyTorch < 1.6 or with"
                + " _use_new_zipfile_serialization=False; it is not supported. Re-save it with"
                + " PyTorch >= 1.6: sd = torch.load(f, map_location='cpu');"
                + " torch.save(sd, 'model.pth') (the default _use_new_zipfile_serialization=True)");
      }
      throw new ModelFormatException(
          file + ": not a torch.save file (expected a zip archive starting with 'PK')");
    }
    try (GuardedZip zip = new GuardedZip(file, limits)) {
      String prefix = findPrefix(zip, file);
      byte[] pkl = zip.read(prefix + "data.pkl", limits.maxPickleBytes());
      Object root = new RestrictedUnpickler(pkl, file + ": data.pkl", limits).load();
      ByteOrder order = byteOrder(zip, prefix, file);
      return toStateDict(root, new Storages(zip, prefix, order, file, limits), file);
    }
  }

  private static String findPrefix(GuardedZip zip, Path file) throws ModelFormatException {
    List<String> found = new ArrayList<>();
    boolean torchScript = false;
    for (String name : zip.names()) {
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        found.add(name.substring(0, slash + 1));
      }
      torchScript |= slash > 0 && name.substring(slash + 1).equals("constants.pkl");
    }
    if (torchScript) {
      throw new ModelFormatException(
          file + ": a TorchScript archive (torch.jit.save), not a torch.save file. Save the"
              + " weights instead: torch.save(model.state_dict(), 'model.pth')");
    }
    if (found.size() != 1) {
      throw new ModelFormatException(
          file + ": expected exactly one '<archive>/data.pkl' entry, found " + found.size()
              + (found.isEmpty() ? " (a zip, but not written by torch.save)" : ": " + found));
    }
    return found.get(0);
  }

  private static ByteOrder byteOrder(GuardedZip zip, String prefix, Path file)
      throws IOException {
    if (!zip.contains(prefix + "byteorder")) {
      return ByteOrder.LITTLE_ENDIAN; // written before PyTorch 2.1, always little-endian
    }
    String s = new String(zip.read(prefix + "byteorder", 16), StandardCharsets.US_ASCII).trim();
    if (s.equals("little")) {
      return ByteOrder.LITTLE_ENDIAN;
    } else if (s.equals("big")) {
      return ByteOrder.BIG_ENDIAN;
    }
    throw new ModelFormatException(
        file + ": byteorder entry is '" + s + "', expected 'little' or 'big'");
  }

  private StateDict toStateDict(Object root, Storages storages, Path file) throws IOException {
    if (!(root instanceof Py.Dict)) {
      throw new ModelFormatException(
          file + ": holds a " + Py.typeName(root) + ", expected a state dict or a checkpoint"
              + " dict; save one with torch.save(model.state_dict(), 'model.pth')");
    }
    Map<Object, Object> top = ((Py.Dict) root).items;
    StateDict.Builder out = StateDict.builder();
    Map<Object, Object> sd;
    String key = stateDictKey;
    if (key == null) {
      if (top.get("model_state_dict") instanceof Py.Dict) {
        key = "model_state_dict";
      } else if (top.get("state_dict") instanceof Py.Dict) {
        key = "state_dict";
      }
    }
    if (key != null) {
      Object inner = top.get(key);
      if (!(inner instanceof Py.Dict)) {
        throw new ModelFormatException(
            file + ": no dict under key '" + key + "'; top-level keys are " + describe(top));
      }
      sd = ((Py.Dict) inner).items;
      out.putMetadata("pth.state_dict_key", key);
      for (Map.Entry<Object, Object> e : top.entrySet()) {
        String scalar = scalar(e.getValue());
        if (e.getKey() instanceof String && scalar != null) {
          out.putMetadata("pth." + e.getKey(), scalar);
        }
      }
    } else {
      sd = top;
    }
    List<String> notTensors = new ArrayList<>();
    for (Map.Entry<Object, Object> e : sd.entrySet()) {
      if (!(e.getKey() instanceof String) || !(e.getValue() instanceof Py.TensorRef)) {
        notTensors.add(e.getKey() + " (" + Py.typeName(e.getValue()) + ")");
      }
    }
    if (!notTensors.isEmpty()) {
      throw new ModelFormatException(
          file + ": " + (key == null ? "the top-level dict" : "'" + key + "'")
              + " is not a state dict: " + notTensors.size() + " entries are not tensors, e.g. "
              + notTensors.subList(0, Math.min(5, notTensors.size()))
              + (key == null
                  ? "; expected tensors, or a checkpoint dict with 'model_state_dict' (choose"
                      + " another key with PthReader.builder().optStateDictKey)"
                  : ""));
    }
    String prefix = commonWrapperPrefix(sd.keySet());
    for (Map.Entry<Object, Object> e : sd.entrySet()) {
      String name = ((String) e.getKey()).substring(prefix.length());
      out.put(name, storages.materialize(name, (Py.TensorRef) e.getValue()));
    }
    if (!prefix.isEmpty()) {
      out.putMetadata("pth.stripped_prefix", prefix);
    }
    return out.build();
  }

  /**
   * Returns the wrapper prefixes every name shares: {@code module.} (nn.DataParallel,
   * DistributedDataParallel) and {@code _orig_mod.} (torch.compile), in any nesting.
   */
  private static String commonWrapperPrefix(java.util.Set<Object> names) {
    String prefix = "";
    boolean more = !names.isEmpty();
    while (more) {
      more = false;
      for (String wrapper : WRAPPER_PREFIXES) {
        boolean all = true;
        for (Object name : names) {
          all &= ((String) name).startsWith(prefix + wrapper);
        }
        if (all) {
          prefix += wrapper;
          more = true;
        }
      }
    }
    return prefix;
  }

  private static String scalar(Object v) {
    if (v instanceof Long || v instanceof Double || v instanceof Boolean
        || v instanceof java.math.BigInteger) {
      return String.valueOf(v);
    }
    if (v instanceof String && ((String) v).length() <= MAX_METADATA_CHARS) {
      return (String) v;
    }
    return null;
  }

  private static String describe(Map<Object, Object> top) {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<Object, Object> e : top.entrySet()) {
      if (keys.size() == 20) {
        keys.add("...");
        break;
      }
      keys.add(e.getKey() + " (" + Py.typeName(e.getValue()) + ")");
    }
    return keys.toString();
  }

  /** Reads storages on demand, each once, and cuts tensors out of them. */
  private static final class Storages {
    private final GuardedZip zip;
    private final String prefix;
    private final ByteOrder order;
    private final Path file;
    private final Limits limits;
    private final Map<String, ByteBuffer> cache = new HashMap<>();
    private long storedElements;
    private long materializedElements;

    Storages(GuardedZip zip, String prefix, ByteOrder order, Path file, Limits limits) {
      this.zip = zip;
      this.prefix = prefix;
      this.order = order;
      this.file = file;
      this.limits = limits;
    }

    Tensor materialize(String name, Py.TensorRef t) throws IOException {
      String type = t.storage().type().name();
      DType dtype = DType.fromPthStorageName(type).orElse(null);
      if (dtype == null) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' is stored as torch." + type + "; supported are"
                + " float32, float16, bfloat16 and int64. Convert it in Python, e.g."
                + " {k: v.float() for k, v in sd.items()}");
      }
      long numel = t.storage().numel();
      int elem = dtype.byteSize();
      ByteBuffer buf = storage(t.storage(), elem);
      long[] size = t.size();
      long[] stride = t.stride();
      if (size.length != stride.length) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' has " + size.length + " dimensions but "
                + stride.length + " strides");
      }
      int[] shape = new int[size.length];
      long n = 1;
      long last = t.offset();
      try {
        for (int d = 0; d < size.length; d++) {
          if (size[d] > Integer.MAX_VALUE) {
            throw new ArithmeticException();
          }
          shape[d] = (int) size[d];
          n = Math.multiplyExact(n, size[d]);
          if (size[d] > 0) {
            last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
          }
        }
      } catch (ArithmeticException e) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' has an absurd shape " + java.util.Arrays.toString(size));
      }
      if (n > Integer.MAX_VALUE) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' has " + n + " elements, more than Java arrays hold");
      }
      if (n > 0 && last >= numel) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' (offset " + t.offset() + ", size "
                + java.util.Arrays.toString(size) + ", stride " + java.util.Arrays.toString(stride)
                + ") reaches element " + last + " of a storage of " + numel);
      }
      int count = (int) n;
      // Views can alias one storage many times (or broadcast it with stride 0): bound what the
      // file makes us allocate by what it actually stores, so a small file cannot exhaust memory.
      materializedElements += count;
      if (materializedElements > (long) limits.maxExpansion() * storedElements + (1 << 16)) {
        throw new ModelFormatException(
            file + ": tensor '" + name + "' brings the tensors to " + materializedElements
                + " elements from " + storedElements + " stored ones, over the limit of "
                + limits.maxExpansion() + "x (views aliasing or broadcasting a storage); raise it"
                + " with PthReader.builder().optMaxExpansion if the file is genuine");
      }
      if (contiguous(size, stride)) {
        return bulk(buf, dtype, (int) t.offset(), count, shape);
      }
      long[] idx = new long[size.length];
      long src = t.offset();
      if (dtype == DType.I64) {
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
          v[i] = buf.getLong((int) (src * elem));
          src = next(idx, size, stride, src);
        }
        return Tensor.ofLongs(v, shape);
      }
      float[] v = new float[count];
      for (int i = 0; i < count; i++) {
        int at = (int) (src * elem);
        v[i] = DTypeCodec.decode(dtype, buf, at);
        src = next(idx, size, stride, src);
      }
      return Tensor.ofFloats(dtype, v, shape);
    }

    /** Row-major without gaps: dimensions of size 1 may have any stride. */
    private static boolean contiguous(long[] size, long[] stride) {
      long expected = 1;
      for (int d = size.length - 1; d >= 0; d--) {
        if (size[d] != 1 && stride[d] != expected) {
          return false;
        }
        expected *= size[d];
      }
      return true;
    }

    /** Copies a contiguous run of elements in one go (most tensors; about twice as fast). */
    private static Tensor bulk(ByteBuffer buf, DType dtype, int offset, int count, int[] shape) {
      // duplicate() resets the byte order, so set it again.
      ByteBuffer b = buf.duplicate().order(buf.order());
      // An empty tensor may carry any offset (nothing is read), so only position for real reads.
      b.position(count == 0 ? 0 : offset * dtype.byteSize());
      if (dtype == DType.I64) {
        long[] v = new long[count];
        b.asLongBuffer().get(v);
        return Tensor.ofLongs(v, shape);
      }
      float[] v = new float[count];
      DTypeCodec.decode(dtype, b, v, 0, count);
      return Tensor.ofFloats(dtype, v, shape);
    }

    /** Advances a row-major multi-index and returns the matching storage element. */
    private static long next(long[] idx, long[] size, long[] stride, long src) {
      for (int d = idx.length - 1; d >= 0; d--) {
        idx[d]++;
        src += stride[d];
        if (idx[d] < size[d]) {
          return src;
        }
        src -= stride[d] * size[d];
        idx[d] = 0;
      }
      return src;
    }

    private ByteBuffer storage(Py.Storage s, int elem) throws IOException {
      ByteBuffer cached = cache.get(s.key());
      if (cached != null) {
        return cached;
      }
      if (!STORAGE_KEY.matcher(s.key()).matches()) {
        throw new ModelFormatException(file + ": invalid storage key '" + s.key() + "'");
      }
      long bytes;
      try {
        bytes = Math.multiplyExact(s.numel(), (long) elem);
      } catch (ArithmeticException e) {
        bytes = Long.MAX_VALUE;
      }
      String entry = prefix + "data/" + s.key();
      long actual = zip.size(entry);
      if (actual >= 0 && actual != bytes) {
        // torch.save writes exactly numel * element size; anything else is corrupt or forged.
        throw new ModelFormatException(
            file + ": storage '" + entry + "' holds " + actual + " bytes, but its tensor needs "
                + s.numel() + " elements of " + elem + " bytes");
      }
      ByteBuffer buf = ByteBuffer.wrap(zip.read(entry, bytes)).order(order);
      cache.put(s.key(), buf);
      storedElements += s.numel();
      return buf;
    }

  }

  /** Builds a {@link PthReader}; every setting is optional. Not thread-safe. */
  public static final class Builder {
    private int maxEntries = 100_000;
    private long maxEntryBytes = Integer.MAX_VALUE - 8L;
    private long maxTotalBytes = 16L << 30;
    private int maxCompressionRatio = 100;
    private int maxPickleBytes = 16 << 20;
    private int maxMemo = 1_000_000;
    private int maxStack = 1_000_000;
    private int maxNesting = 100;
    private int maxStringBytes = 16 << 20;
    private int maxExpansion = 4;
    private String stateDictKey;

    private Builder() {}

    /**
     * Reads the state dict under this top-level key of a checkpoint dict (default: the
     * {@code model_state_dict} or {@code state_dict} entry if there is one, else the top level).
     *
     * @param key e.g. {@code discriminator_state_dict}
     * @return this builder
     */
    public Builder optStateDictKey(String key) {
      stateDictKey = checkNotNull(key, "key");
      return this;
    }

    /**
     * Sets the most zip entries (default 100,000).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxEntries(int v) {
      checkArgument(v >= 1, "maxEntries must be >= 1, got %s", v);
      maxEntries = v;
      return this;
    }

    /**
     * Sets the most uncompressed bytes of one zip entry (default and maximum 2^31 - 9: a Java
     * array).
     *
     * @param v 1 .. 2^31 - 9
     * @return this builder
     */
    public Builder optMaxEntryBytes(long v) {
      checkArgument(
          v >= 1 && v <= Integer.MAX_VALUE - 8L, "maxEntryBytes must be in 1..2^31-9, got %s", v);
      maxEntryBytes = v;
      return this;
    }

    /**
     * Sets the most uncompressed bytes all zip entries may declare and the reader may read
     * (default 16 GiB).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxTotalBytes(long v) {
      checkArgument(v >= 1, "maxTotalBytes must be >= 1, got %s", v);
      maxTotalBytes = v;
      return this;
    }

    /**
     * Sets the most uncompressed/compressed size ratio of an entry over 1 MiB (default 100;
     * torch.save stores entries uncompressed, ratio 1).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxCompressionRatio(int v) {
      checkArgument(v >= 1, "maxCompressionRatio must be >= 1, got %s", v);
      maxCompressionRatio = v;
      return this;
    }

    /**
     * Sets the most bytes of {@code data.pkl} (default 16 MiB; the reference's checkpoint with its
     * optimizer states needs 34 KB). Every pickle byte can create a value, so this also bounds the
     * memory the unpickler uses.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxPickleBytes(int v) {
      checkArgument(v >= 1, "maxPickleBytes must be >= 1, got %s", v);
      maxPickleBytes = v;
      return this;
    }

    /**
     * Sets the most pickle memo entries (default 1,000,000).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxMemo(int v) {
      checkArgument(v >= 1, "maxMemo must be >= 1, got %s", v);
      maxMemo = v;
      return this;
    }

    /**
     * Sets the most values on the pickle stack (default 1,000,000).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxStack(int v) {
      checkArgument(v >= 1, "maxStack must be >= 1, got %s", v);
      maxStack = v;
      return this;
    }

    /**
     * Sets the most nesting of containers and of pickle marks (default 100; a checkpoint dict
     * nests about 7 levels).
     *
     * @param v at least 2
     * @return this builder
     */
    public Builder optMaxNesting(int v) {
      checkArgument(v >= 2, "maxNesting must be >= 2, got %s", v);
      maxNesting = v;
      return this;
    }

    /**
     * Sets the most bytes of one pickled string or bytes value (default 16 MiB).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxStringBytes(int v) {
      checkArgument(v >= 1, "maxStringBytes must be >= 1, got %s", v);
      maxStringBytes = v;
      return this;
    }

    /**
     * Sets how many elements the tensors may hold in total per element stored in the file, plus
     * 65,536 (default 4). Tensors that are views can alias a storage many times or broadcast it
     * with stride 0; a state dict holds each weight once, so genuine files stay near 1.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxExpansion(int v) {
      checkArgument(v >= 1, "maxExpansion must be >= 1, got %s", v);
      maxExpansion = v;
      return this;
    }

    /** {@return the reader} */
    public PthReader build() {
      return new PthReader(this);
    }
  }
}
