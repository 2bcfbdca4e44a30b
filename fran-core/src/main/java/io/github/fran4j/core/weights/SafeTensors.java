package io.github.fran4j.core.weights;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.DTypeCodec;
import io.github.fran4j.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing each tensor's dtype,
 * shape and byte range (plus an optional string map under {@code __metadata__}), then the raw
 * little-endian tensor bytes.
 *
 * <p>Supported dtypes are those of {@link DType}: F32, F16, BF16 and I64. Files written here follow
 * the reference implementation's layout: compact JSON with {@code __metadata__} first (omitted when
 * there is no metadata), tensors in the state dict's order and stored back to back in that order,
 * and the header padded with spaces to a multiple of 8 bytes. They read in any safetensors reader.
 *
 * <p>Reading is strict: anything a conforming writer would not produce (a header length beyond the
 * file, invalid JSON, an unknown dtype, byte ranges that overlap, leave gaps or do not match the
 * shape, non-string metadata, truncated data) is a {@link ModelFormatException} naming the file and
 * the problem. Tensors are read chunk by chunk from a {@link FileChannel}, so a file is read once
 * and never held in memory twice.
 *
 * <p>Writing to a path is atomic: the bytes go to a temporary file in the same directory, which is
 * then moved over the target, so readers never see a half-written file.
 *
 * <p>This is a stateless utility; all methods are thread-safe.
 */
public final class SafeTensors {
  /** The header key holding the string metadata. */
  public static final String METADATA_KEY = "__metadata__";

  /**
   * The largest header accepted, in bytes (the reference implementation's limit). A larger value
   * means the file is not a safetensors file or is corrupt.
   */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /**
   * The most tensors one file may list. Real models have hundreds to a few thousand; the bound
   * keeps a header of a million empty tensors from costing gigabytes before it is refused.
   */
  public static final int MAX_TENSORS = 100_000;

  /** The most metadata entries (and fields of any header object). */
  private static final int MAX_FIELDS = 10_000;

  /** The longest array in a header entry (a shape's rank, the two data offsets). */
  private static final int MAX_ARRAY = 64;

  /** Bytes converted per I/O call: large enough to be fast, small enough to bound memory. */
  private static final int CHUNK_BYTES = 1 << 20;


  private static final Pattern NON_NEGATIVE_INTEGER = Pattern.compile("0|[1-9][0-9]*");

  private SafeTensors() {}

  /**
   * Reads a safetensors file.
   *
   * @param file the file
   * @return its tensors in header order (the data order for files written by this class and by the
   *     reference implementation) and its {@code __metadata__}
   * @throws ModelFormatException naming the file and what is wrong if it is not a valid
   *     safetensors file or holds a dtype other than F32, F16, BF16 and I64
   * @throws IOException if the file cannot be read
   */
  public static StateDict read(Path file) throws IOException {
    checkNotNull(file, "file");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(new ChannelSource(ch), file.toString());
    }
  }

  /**
   * Reads safetensors bytes held in memory.
   *
   * @param bytes the whole file's content
   * @param sourceName a name for error messages, e.g. where the bytes came from
   * @return the tensors and metadata
   * @throws ModelFormatException naming {@code sourceName} and the problem
   */
  public static StateDict read(byte[] bytes, String sourceName) throws ModelFormatException {
    checkNotNull(bytes, "bytes");
    checkNotNull(sourceName, "sourceName");
    try {
      return read(new ArraySource(bytes), sourceName);
    } catch (ModelFormatException e) {
      throw e;
    } catch (IOException e) {
      // ArraySource never throws other I/O errors.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a state dict to a file atomically (temporary file in the same directory, then an atomic
   * move over {@code file}); an existing file is replaced. On failure the target is left as it was.
   *
   * @param weights the tensors and metadata; names must not be {@value #METADATA_KEY}
   * @param file the target file; its directory must exist
   * @throws IOException if writing or moving fails
   * @throws IllegalArgumentException if a tensor is named {@value #METADATA_KEY}
   */
  public static void write(StateDict weights, Path file) throws IOException {
    checkNotNull(weights, "weights");
    checkNotNull(file, "file");
    byte[] header = header(weights);
    AtomicFiles.write(file, out -> writeTo(weights, header, Channels.newChannel(out)));
  }

  /**
   * Returns the bytes {@link #write(StateDict, Path)} would write.
   *
   * @param weights the tensors and metadata
   * @return the whole file's content
   * @throws IllegalArgumentException if a tensor is named {@value #METADATA_KEY} or the result
   *     would exceed 2 GiB
   */
  public static byte[] toBytes(StateDict weights) {
    checkNotNull(weights, "weights");
    byte[] header = header(weights);
    long total = 8L + header.length + dataBytes(weights);
    checkArgument(
        total <= Integer.MAX_VALUE - 8, "state dict too large for a byte array: %s bytes", total);
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
    try {
      writeTo(weights, header, Channels.newChannel(out));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to memory", e);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- writing

  private static long dataBytes(StateDict weights) {
    long n = 0;
    for (Tensor t : weights.tensors().values()) {
      n += (long) t.size() * t.dtype().byteSize();
    }
    return n;
  }

  /** Builds the padded header: compact JSON, metadata first, then tensors in order. */
  private static byte[] header(StateDict weights) {
    StringWriter sw = new StringWriter();
    try (JsonWriter w = new JsonWriter(sw)) {
      // The reference writer does not escape HTML characters; neither must we, for equal bytes.
      w.setHtmlSafe(false);
      w.beginObject();
      if (!weights.metadata().isEmpty()) {
        w.name(METADATA_KEY).beginObject();
        for (Map.Entry<String, String> e : weights.metadata().entrySet()) {
          w.name(e.getKey()).value(e.getValue());
        }
        w.endObject();
      }
      long offset = 0;
      for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
        checkArgument(
            !e.getKey().equals(METADATA_KEY),
            "a tensor cannot be named '%s': that key holds the metadata",
            METADATA_KEY);
        Tensor t = e.getValue();
        long end = offset + (long) t.size() * t.dtype().byteSize();
        w.name(e.getKey()).beginObject();
        w.name("dtype").value(t.dtype().safetensorsName());
        w.name("shape").beginArray();
        for (int d : t.shape()) {
          w.value(d);
        }
        w.endArray();
        w.name("data_offsets").beginArray().value(offset).value(end).endArray();
        w.endObject();
        offset = end;
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to a string", e);
    }
    byte[] json;
    try {
      // REPORT rather than the default '?' replacement: a lone surrogate in a name or metadata
      // value would otherwise be silently changed.
      ByteBuffer encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(sw.toString()));
      json = new byte[encoded.remaining()];
      encoded.get(json);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "a tensor name or metadata string is not valid Unicode (lone surrogate): " + e, e);
    }
    // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void writeTo(StateDict weights, byte[] header, WritableByteChannel ch)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length);
    buf.flip();
    writeFully(ch, buf);
    writeFully(ch, ByteBuffer.wrap(header));
    for (Tensor t : weights.tensors().values()) {
      writeTensor(t, buf, ch);
    }
  }

  private static void writeTensor(Tensor t, ByteBuffer buf, WritableByteChannel ch)
      throws IOException {
    int n = t.size();
    int perChunk = CHUNK_BYTES / t.dtype().byteSize();
    if (t.dtype() == DType.I64) {
      LongBuffer src = t.longBuffer();
      for (int start = 0; start < n; start += perChunk) {
        int count = Math.min(perChunk, n - start);
        buf.clear();
        for (int i = 0; i < count; i++) {
          buf.putLong(src.get(start + i));
        }
        buf.flip();
        writeFully(ch, buf);
      }
      return;
    }
    FloatBuffer src = t.floatBuffer();
    for (int start = 0; start < n; start += perChunk) {
      int count = Math.min(perChunk, n - start);
      buf.clear();
      DTypeCodec.encode(t.dtype(), src, start, count, buf);
      buf.flip();
      writeFully(ch, buf);
    }
  }

  private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  // ---------------------------------------------------------------- reading

  /** Random-access bytes: a file channel or an array. */
  /**
   * The header's bytes as a stream, read from the source in small chunks: the header is never held
   * whole in memory.
   */
  private static final class HeaderStream extends java.io.InputStream {
    private final Source src;
    private final long end;
    private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
    private long next = 8;

    HeaderStream(Source src, long headerLen) {
      this.src = src;
      this.end = 8 + headerLen;
      chunk.limit(0);
    }

    /** Returns the first byte without consuming it. */
    int first() throws IOException {
      fill();
      return chunk.hasRemaining() ? chunk.get(chunk.position()) & 0xff : -1;
    }

    private boolean fill() throws IOException {
      if (chunk.hasRemaining()) {
        return true;
      }
      if (next >= end) {
        return false;
      }
      chunk.clear().limit((int) Math.min(chunk.capacity(), end - next));
      if (!src.readFully(chunk, next)) {
        throw new java.io.EOFException("file ended inside the header");
      }
      next += chunk.limit();
      chunk.flip();
      return true;
    }

    @Override
    public int read() throws IOException {
      return fill() ? chunk.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, chunk.remaining());
      chunk.get(b, off, n);
      return n;
    }
  }

  private interface Source {
    long size() throws IOException;

    /** Fills {@code dst} from {@code position}; returns false if the source ends first. */
    boolean readFully(ByteBuffer dst, long position) throws IOException;
  }

  private static final class ChannelSource implements Source {
    private final FileChannel ch;

    ChannelSource(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public boolean readFully(ByteBuffer dst, long position) throws IOException {
      long pos = position;
      while (dst.hasRemaining()) {
        int n = ch.read(dst, pos);
        if (n < 0) {
          return false;
        }
        pos += n;
      }
      return true;
    }
  }

  private static final class ArraySource implements Source {
    private final byte[] bytes;

    ArraySource(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public boolean readFully(ByteBuffer dst, long position) {
      if (position > bytes.length || dst.remaining() > bytes.length - position) {
        return false;
      }
      dst.put(bytes, (int) position, dst.remaining());
      return true;
    }
  }

  /** A JSON number kept as its text: the checks read the digits, and parsing could be costly. */
  private static final class RawNumber extends Number {
    private static final long serialVersionUID = 1L;
    private final String text;

    RawNumber(String text) {
      this.text = text;
    }

    @Override
    public int intValue() {
      return (int) doubleValue();
    }

    @Override
    public long longValue() {
      return (long) doubleValue();
    }

    @Override
    public float floatValue() {
      return (float) doubleValue();
    }

    @Override
    public double doubleValue() {
      return Double.parseDouble(text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** One tensor's header entry. */
  private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

  private static StateDict read(Source src, String name) throws IOException {
    long size = src.size();
    if (size < 8) {
      throw bad(name, "file is " + size + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    if (!src.readFully(lenBuf, 0)) {
      throw bad(name, "file ended inside the 8-byte header length");
    }
    long headerLen = lenBuf.getLong(0);
    if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
      throw bad(
          name,
          "header length "
              + Long.toUnsignedString(headerLen)
              + " is absurd (expected 2.."
              + MAX_HEADER_BYTES
              + "); this is not a safetensors file or it is corrupt");
    }
    if (headerLen > size - 8) {
      throw bad(
          name,
          "header length "
              + headerLen
              + " goes beyond the file's "
              + size
              + " bytes; the file is truncated or not a safetensors file");
    }
    long dataStart = 8 + headerLen;
    long dataLen = size - dataStart;
    StateDict.Builder out = StateDict.builder();
    List<Entry> entries = readHeader(new HeaderStream(src, headerLen), name, out);
    checkCoverage(entries, dataLen, name);
    for (Entry en : entries) {
      out.put(en.name(), readTensor(src, dataStart, en, name));
    }
    return out.build();
  }

  /**
   * Parses the header as a stream, entry by entry, with bounds on the tensor count, the metadata
   * entries, array lengths and nesting: a tree of the whole header (Gson's {@code JsonParser}) costs
   * about 35 times the header's size, 3.2 GB for an 89 MB header of empty tensors, before any check
   * could refuse it.
   */
  private static List<Entry> readHeader(HeaderStream header, String name, StateDict.Builder out)
      throws IOException {
    if (header.first() != '{') {
      throw bad(name, "header does not start with '{': not a safetensors file");
    }
    List<Entry> entries = new ArrayList<>();
    List<Map.Entry<String, JsonElement>> raw = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.io.Reader chars = new java.io.InputStreamReader(header,
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
    try (JsonReader reader = new JsonReader(chars)) {
      reader.setStrictness(Strictness.STRICT);
      reader.beginObject();
      while (reader.hasNext()) {
        String key = reader.nextName();
        if (!seen.add(key)) {
          throw bad(name, "header names '" + key + "' twice; expected each tensor once");
        }
        if (key.equals(METADATA_KEY)) {
          readMetadata(bounded(reader, name, METADATA_KEY, 0), out, name);
          continue;
        }
        if (raw.size() == MAX_TENSORS) {
          throw bad(name, "header lists more than " + MAX_TENSORS + " tensors (limit "
              + "SafeTensors.MAX_TENSORS); a FRAN U-Net has about 100. The file is corrupt or "
              + "hostile");
        }
        raw.add(Map.entry(key, bounded(reader, name, "tensor '" + key + "'", 0)));
      }
      reader.endObject();
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw bad(name, "header holds more than one JSON value");
      }
      // Entries are checked once the whole header is known to be JSON, so that a broken file
      // is reported as such rather than by its first odd entry.
      for (Map.Entry<String, JsonElement> e : raw) {
        entries.add(parseEntry(e.getKey(), e.getValue(), name));
      }
    } catch (ModelFormatException e) {
      throw e;
    } catch (CharacterCodingException e) {
      throw bad(name, "header is not valid UTF-8", e);
    } catch (IOException | IllegalStateException | JsonParseException | NumberFormatException e) {
      throw bad(name, "header is not valid JSON: " + e.getMessage(), e);
    }
    return entries;
  }

  /**
   * Reads one header value as a small tree: objects of at most {@value #MAX_FIELDS} fields (the
   * metadata), arrays of at most {@value #MAX_ARRAY} elements (shapes, offsets), nesting at most
   * two levels below an entry.
   */
  private static JsonElement bounded(JsonReader r, String name, String where, int depth)
      throws IOException {
    if (depth > 2) {
      throw bad(name, where + ": nested deeper than a safetensors header entry can be");
    }
    switch (r.peek()) {
      case BEGIN_ARRAY: {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          if (a.size() == MAX_ARRAY) {
            throw bad(name, where + ": array longer than " + MAX_ARRAY + " elements");
          }
          a.add(bounded(r, name, where, depth + 1));
        }
        r.endArray();
        return a;
      }
      case BEGIN_OBJECT: {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          if (o.size() == MAX_FIELDS) {
            throw bad(name, where + ": object with more than " + MAX_FIELDS + " fields");
          }
          String k = r.nextName();
          o.add(k, bounded(r, name, where, depth + 1));
        }
        r.endObject();
        return o;
      }
      case STRING:
        return new JsonPrimitive(r.nextString());
      case NUMBER:
        return new JsonPrimitive(new RawNumber(r.nextString()));
      case BOOLEAN:
        return new JsonPrimitive(r.nextBoolean());
      case NULL:
        r.nextNull();
        return com.google.gson.JsonNull.INSTANCE;
      default:
        throw bad(name, where + ": unexpected " + r.peek());
    }
  }

  private static void readMetadata(JsonElement meta, StateDict.Builder out, String name)
      throws ModelFormatException {
    if (!meta.isJsonObject()) {
      throw bad(name, METADATA_KEY + " must be a JSON object of strings, found " + meta);
    }
    for (Map.Entry<String, JsonElement> m : meta.getAsJsonObject().entrySet()) {
      JsonElement v = m.getValue();
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        throw bad(
            name,
            METADATA_KEY + " value for '" + m.getKey() + "' must be a string, found " + v);
      }
      out.putMetadata(m.getKey(), v.getAsString());
    }
  }

  private static Entry parseEntry(String tensor, JsonElement el, String name)
      throws ModelFormatException {
    String where = "tensor '" + tensor + "'";
    if (!el.isJsonObject()) {
      throw bad(name, where + ": expected an object with dtype, shape and data_offsets, found "
          + el);
    }
    JsonObject o = el.getAsJsonObject();
    for (String key : o.keySet()) {
      if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
        throw bad(name, where + ": unexpected field '" + key
            + "', expected only dtype, shape and data_offsets");
      }
    }
    JsonElement dt = o.get("dtype");
    if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
      throw bad(name, where + ": missing or non-string dtype");
    }
    DType dtype;
    try {
      dtype = DType.fromSafetensorsName(dt.getAsString());
    } catch (IllegalArgumentException e) {
      throw bad(name, where + ": " + e.getMessage()
          + " (FRAN for Java reads only these; convert the file, e.g. to F32)");
    }
    JsonElement sh = o.get("shape");
    if (sh == null || !sh.isJsonArray()) {
      throw bad(name, where + ": missing shape array");
    }
    JsonArray shapeArr = sh.getAsJsonArray();
    int[] shape = new int[shapeArr.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      long d = nonNegative(shapeArr.get(i), where + " shape", name);
      // Check d before multiplying so that the product cannot overflow a long.
      if (d > Integer.MAX_VALUE || (numel *= d) > Integer.MAX_VALUE) {
        throw bad(name, where + ": shape " + shapeArr + " has more than "
            + Integer.MAX_VALUE + " elements, too large for one tensor");
      }
      shape[i] = (int) d;
    }
    JsonElement off = o.get("data_offsets");
    if (off == null || !off.isJsonArray() || off.getAsJsonArray().size() != 2) {
      throw bad(name, where + ": data_offsets must be an array [begin, end], found " + off);
    }
    long begin = nonNegative(off.getAsJsonArray().get(0), where + " data_offsets", name);
    long end = nonNegative(off.getAsJsonArray().get(1), where + " data_offsets", name);
    if (end < begin) {
      throw bad(name, where + ": data_offsets [" + begin + ", " + end + "] end before begin");
    }
    long expected = numel * dtype.byteSize();
    if (end - begin != expected) {
      throw bad(name, where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs "
          + expected + " bytes but data_offsets [" + begin + ", " + end + "] span "
          + (end - begin));
    }
    return new Entry(tensor, dtype, shape, begin, end);
  }

  private static long nonNegative(JsonElement el, String what, String name)
      throws ModelFormatException {
    if (el.isJsonPrimitive() && ((JsonPrimitive) el).isNumber()) {
      String s = el.getAsString();
      // Only plain integers: no sign, fraction or exponent, and nothing that overflows a long.
      if (NON_NEGATIVE_INTEGER.matcher(s).matches() && s.length() <= 18) {
        return Long.parseLong(s);
      }
    }
    throw bad(name, what + ": expected a non-negative integer, found " + el);
  }

  /** Checks that the byte ranges tile [0, dataLen) exactly, as the reference reader requires. */
  private static void checkCoverage(List<Entry> entries, long dataLen, String name)
      throws ModelFormatException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long pos = 0;
    String prev = null;
    for (Entry e : sorted) {
      if (e.begin() < pos) {
        throw bad(name, "tensor '" + e.name() + "' data_offsets [" + e.begin() + ", " + e.end()
            + "] overlap tensor '" + prev + "' ending at " + pos);
      }
      if (e.begin() > pos) {
        throw bad(name, "bytes " + pos + ".." + e.begin() + " of the data belong to no tensor"
            + " (before tensor '" + e.name() + "'); the header's data_offsets are inconsistent");
      }
      pos = e.end();
      prev = e.name();
    }
    if (pos > dataLen) {
      throw bad(name, "tensor '" + prev + "' ends at data byte " + pos + " but the file holds only "
          + dataLen + " data bytes; the file is truncated");
    }
    if (pos < dataLen) {
      throw bad(name, "the file holds " + dataLen + " data bytes but the tensors cover only " + pos
          + "; trailing bytes belong to no tensor");
    }
  }

  private static Tensor readTensor(Source src, long dataStart, Entry e, String name)
      throws IOException {
    int n = Tensor.numel(e.shape());
    int elem = e.dtype().byteSize();
    int perChunk = CHUNK_BYTES / elem;
    ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(n * elem, 1)))
        .order(ByteOrder.LITTLE_ENDIAN);
    long pos = dataStart + e.begin();
    if (e.dtype() == DType.I64) {
      long[] values = new long[n];
      for (int start = 0; start < n; start += perChunk) {
        int count = Math.min(perChunk, n - start);
        fill(src, buf, count * elem, pos, e, name);
        buf.asLongBuffer().get(values, start, count);
        pos += (long) count * elem;
      }
      return Tensor.ofLongs(values, e.shape());
    }
    float[] values = new float[n];
    for (int start = 0; start < n; start += perChunk) {
      int count = Math.min(perChunk, n - start);
      fill(src, buf, count * elem, pos, e, name);
      DTypeCodec.decode(e.dtype(), buf, values, start, count);
      pos += (long) count * elem;
    }
    // F32 data is handed over without a copy; F16/BF16 values are exact, so re-rounding is a no-op.
    return e.dtype() == DType.F32
        ? Tensor.wrap(values, e.shape())
        : Tensor.ofFloats(e.dtype(), values, e.shape());
  }

  private static void fill(Source src, ByteBuffer buf, int bytes, long pos, Entry e, String name)
      throws IOException {
    buf.clear().limit(bytes);
    if (!src.readFully(buf, pos)) {
      throw bad(name, "file ended inside tensor '" + e.name() + "'; the file is truncated");
    }
    buf.flip();
  }

  private static ModelFormatException bad(String name, String problem) {
    return new ModelFormatException(name + ": invalid safetensors file: " + problem);
  }

  private static ModelFormatException bad(String name, String problem, Throwable cause) {
    return new ModelFormatException(name + ": invalid safetensors file: " + problem, cause);
  }
}
