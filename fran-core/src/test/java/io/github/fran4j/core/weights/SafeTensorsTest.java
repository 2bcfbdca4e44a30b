package io.github.fran4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks {@link SafeTensors} against fixtures written by an independent Python script
 * ({@code src/test/python/make_safetensors_fixtures.py}, standard library only), hand-computed
 * half/bfloat16 bit patterns, and hand-built corrupt files.
 */
class SafeTensorsTest {

  static Path fixture(String name) {
    try {
      return Path.of(SafeTensorsTest.class.getResource("/fixtures/safetensors/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds the state dict described by a fixture's expected JSON, without our reader. */
  static StateDict expected(String name) throws IOException {
    JsonObject root =
        JsonParser.parseString(Files.readString(fixture(name + ".expected.json")))
            .getAsJsonObject();
    StateDict.Builder b = StateDict.builder();
    for (Map.Entry<String, JsonElement> m : root.getAsJsonObject("metadata").entrySet()) {
      b.putMetadata(m.getKey(), m.getValue().getAsString());
    }
    for (JsonElement el : root.getAsJsonArray("tensors")) {
      JsonObject t = el.getAsJsonObject();
      JsonArray s = t.getAsJsonArray("shape");
      int[] shape = new int[s.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get(i).getAsInt();
      }
      DType dtype = DType.fromSafetensorsName(t.get("dtype").getAsString());
      if (dtype == DType.I64) {
        JsonArray v = t.getAsJsonArray("longs");
        long[] longs = new long[v.size()];
        for (int i = 0; i < longs.length; i++) {
          longs[i] = Long.parseLong(v.get(i).getAsString());
        }
        b.put(t.get("name").getAsString(), Tensor.ofLongs(longs, shape));
      } else {
        JsonArray v = t.getAsJsonArray("float_bits");
        float[] floats = new float[v.size()];
        for (int i = 0; i < floats.length; i++) {
          floats[i] = Float.intBitsToFloat((int) v.get(i).getAsLong());
        }
        b.put(t.get("name").getAsString(), Tensor.ofFloats(dtype, floats, shape));
      }
    }
    return b.build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mixed", "no_metadata", "empty"})
  void readsFilesWrittenByPython(String name) throws IOException {
    StateDict read = SafeTensors.read(fixture(name + ".safetensors"));
    StateDict expected = expected(name);
    assertThat(read.metadata()).containsExactlyEntriesOf(expected.metadata());
    assertThat(read.names()).containsExactlyElementsOf(expected.names());
    for (String n : expected.names()) {
      Tensor r = read.get(n);
      Tensor e = expected.get(n);
      assertThat(r.dtype()).as(n).isEqualTo(e.dtype());
      assertThat(r.shape()).as(n).isEqualTo(e.shape());
      if (e.dtype() == DType.I64) {
        assertThat(r.toLongArray()).as(n).isEqualTo(e.toLongArray());
      } else {
        // Bit patterns, so -0.0, subnormals, infinities and NaN are all checked exactly.
        assertThat(bits(r.toFloatArray())).as(n).isEqualTo(bits(e.toFloatArray()));
      }
    }
  }

  @Test
  void mixedFixtureHoldsTheSpecialValues() throws IOException {
    StateDict read = SafeTensors.read(fixture("mixed.safetensors"));
    float[] half = read.get("b.f16").toFloatArray();
    assertThat(half[0]).isEqualTo(0.333251953125f); // 1/3 in half precision (0x3555)
    assertThat(half[1]).isEqualTo(65504f);
    assertThat(half[2]).isEqualTo(0x1p-24f);
    assertThat(half[3]).isEqualTo(0x1p-14f);
    assertThat(half[4]).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(half[5]).isNaN();
    assertThat(Float.floatToRawIntBits(half[6])).isEqualTo(0x80000000);
    assertThat(read.get("d.i64").shape()).isEmpty();
    assertThat(read.get("d.i64").toLongArray()).containsExactly(7L);
    assertThat(read.get("f.empty").size()).isZero();
    assertThat(read.metadata().get("note")).contains("\"", "\\", "\n", "日本", "<tag>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mixed", "no_metadata", "empty"})
  void writerReproducesPythonBytesExactly(String name) throws IOException {
    byte[] python = Files.readAllBytes(fixture(name + ".safetensors"));
    // From a state dict built without our reader...
    assertThat(SafeTensors.toBytes(expected(name))).isEqualTo(python);
    // ... and after a read.
    assertThat(SafeTensors.toBytes(SafeTensors.read(fixture(name + ".safetensors"))))
        .isEqualTo(python);
  }

  @Test
  void writeIsAtomicAndReplacesAnExistingFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("w.safetensors");
    Files.writeString(file, "old content");
    StateDict sd = expected("mixed");
    SafeTensors.write(sd, file);
    assertThat(SafeTensors.read(file)).isEqualTo(sd);
    assertThat(Files.readAllBytes(file)).isEqualTo(SafeTensors.toBytes(sd));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void writeToRelativePathWorks(@TempDir Path dir) throws IOException {
    // A bare file name has no parent; the temp file must still go next to it.
    Path file = dir.resolve("r.safetensors");
    Path relative = Path.of("").toAbsolutePath().relativize(file);
    SafeTensors.write(expected("no_metadata"), relative);
    assertThat(SafeTensors.read(file)).isEqualTo(expected("no_metadata"));
  }

  @Test
  void failedWriteLeavesTargetUntouched(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("keep.safetensors");
    Files.writeString(file, "previous");
    StateDict bad =
        StateDict.builder().put("__metadata__", Tensor.zeros(1)).build();
    assertThatThrownBy(() -> SafeTensors.write(bad, file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("__metadata__");
    assertThat(Files.readString(file)).isEqualTo("previous");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
    assertThatThrownBy(
            () -> SafeTensors.write(expected("mixed"), dir.resolve("missing/dir/x.safetensors")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void writerRejectsLoneSurrogates() {
    StateDict sd = StateDict.builder().put("w", Tensor.zeros(1)).putMetadata("k", "a\uD800b").build();
    assertThatThrownBy(() -> SafeTensors.toBytes(sd))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lone surrogate");
  }

  @Test
  void halfPrecisionRoundsToNearestEvenAsHandComputed() throws IOException {
    float[] values = {
      1f / 3f, 65504f, 65519f, 65520f, 0x1p-24f, 0x1p-25f, 0x3p-25f, 0x1p-14f, 0.1f,
      Float.NaN, Float.POSITIVE_INFINITY, -0f, 1e-10f, -70000f
    };
    short[] expected = {
      0x3555, 0x7BFF, 0x7BFF, 0x7C00, 0x0001, 0x0000, 0x0002, 0x0400, 0x2E66,
      0x7E00, 0x7C00, (short) 0x8000, 0x0000, (short) 0xFC00
    };
    assertThat(storedShorts(DType.F16, values)).isEqualTo(expected);
  }

  @Test
  void bfloat16RoundsToNearestEvenAsHandComputed() throws IOException {
    float[] values = {
      1f / 3f, 1.00390625f, 1.01171875f, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY,
      1e-40f, -0f, 1f
    };
    short[] expected = {
      0x3EAB, 0x3F80, 0x3F82, 0x7F80, 0x7FC0, (short) 0xFF80, 0x0001, (short) 0x8000, 0x3F80
    };
    assertThat(storedShorts(DType.BF16, values)).isEqualTo(expected);
  }

  /** Writes one tensor and returns its stored 16-bit words, located by hand from the header. */
  private static short[] storedShorts(DType dtype, float[] values) throws IOException {
    StateDict sd =
        StateDict.builder().put("t", Tensor.ofFloats(dtype, values, values.length)).build();
    byte[] bytes = SafeTensors.toBytes(sd);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLen = buf.getLong(0);
    assertThat(headerLen % 8).isZero();
    assertThat(bytes.length).isEqualTo(8 + headerLen + 2L * values.length);
    short[] out = new short[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = buf.getShort((int) (8 + headerLen + 2 * i));
    }
    // And the reader decodes them back to the rounded values.
    assertThat(bits(SafeTensors.read(bytes, "mem").get("t").toFloatArray()))
        .isEqualTo(bits(sd.get("t").toFloatArray()));
    return out;
  }

  @Test
  void headerIsCompactMetadataFirstAndPaddedWithSpaces() throws IOException {
    StateDict sd =
        StateDict.builder()
            .put("z", Tensor.ofFloats(new float[] {1, 2}, 2))
            .put("a", Tensor.ofLongs(new long[] {3}))
            .putMetadata("k", "v<&>")
            .build();
    byte[] bytes = SafeTensors.toBytes(sd);
    int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    String header = new String(bytes, 8, n, StandardCharsets.UTF_8);
    String json =
        "{\"__metadata__\":{\"k\":\"v<&>\"},"
            + "\"z\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";
    assertThat(header).isEqualTo(json + " ".repeat(n - json.length()));
    assertThat(n % 8).isZero();
    assertThat(n - json.length()).isBetween(0, 7);
  }

  // ------------------------------------------------------------ corrupt files

  /** A file with a hand-written header (padded to 8) and {@code dataBytes} zero bytes. */
  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  private static String tensor(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
        + ",\"data_offsets\":[" + begin + "," + end + "]}";
  }

  private static void assertCorrupt(byte[] bytes, String... messageParts) {
    assertThatThrownBy(() -> SafeTensors.read(bytes, "bad.safetensors"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("bad.safetensors: invalid safetensors file: ")
        .hasMessageContainingAll(messageParts);
  }

  @Test
  void validHandWrittenFileReads() throws IOException {
    // Guards the corrupt-file helpers: the same construction without a defect is accepted.
    byte[] ok = file("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F16", "[1]", 8, 10)
        + "}", 10);
    StateDict sd = SafeTensors.read(ok, "ok");
    assertThat(sd.names()).containsExactly("a", "b");
    assertThat(sd.get("a").toFloatArray()).containsExactly(0f, 0f);
  }

  @Test
  void rejectsTooShortFile() {
    assertCorrupt(new byte[5], "5 bytes, too short");
    assertCorrupt(new byte[0], "0 bytes");
  }

  @Test
  void rejectsAbsurdHeaderLength() {
    byte[] b = new byte[64];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
    assertCorrupt(b, "header length 1099511627776 is absurd");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
    assertCorrupt(b, "header length 18446744073709551615 is absurd");
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0);
    assertCorrupt(b, "header length 0 is absurd");
  }

  @Test
  void rejectsHeaderBeyondFile() {
    byte[] b = file("{}      ", 0);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(200);
    assertCorrupt(b, "header length 200 goes beyond the file's 16 bytes");
  }

  @Test
  void rejectsBadJson() {
    assertCorrupt(file("{\"a\":{\"dtype\":", 0), "not valid JSON");
    assertCorrupt(file("{\"a\":1,}", 0), "not valid JSON");
    assertCorrupt(file("{'a':{}}", 0), "not valid JSON");
    assertCorrupt(file("[1,2]   ", 0), "does not start with '{'");
    assertCorrupt(file("{} {}   ", 0), "not valid JSON");
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] b = file("{\"xx\":1}", 0);
    b[10] = (byte) 0xC3; // a lead byte followed by an ASCII byte
    assertCorrupt(b, "not valid UTF-8");
  }

  @Test
  void rejectsUnknownDtype() {
    assertCorrupt(file("{" + tensor("w", "F64", "[1]", 0, 8) + "}", 8),
        "tensor 'w'", "unsupported dtype 'F64'", "F32, F16, BF16, I64");
  }

  @Test
  void rejectsMalformedTensorEntries() {
    assertCorrupt(file("{\"w\":[1]}", 0), "tensor 'w'", "expected an object");
    assertCorrupt(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "non-string dtype");
    assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "missing shape");
    assertCorrupt(file("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", 4),
        "expected a non-negative integer, found -1");
    assertCorrupt(file("{" + tensor("w", "F32", "[1.5]", 0, 4) + "}", 4),
        "expected a non-negative integer, found 1.5");
    assertCorrupt(file("{" + tensor("w", "F32", "[\"1\"]", 0, 4) + "}", 4),
        "non-negative integer");
    assertCorrupt(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
        "data_offsets must be an array [begin, end]");
    assertCorrupt(
        file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
        "unexpected field 'x'");
    assertCorrupt(file("{" + tensor("w", "F32", "[1]", 4, 0) + "}", 4), "end before begin");
    assertCorrupt(file("{" + tensor("w", "F32", "[65536,65536]", 0, 4) + "}", 4),
        "too large for one tensor");
  }

  @Test
  void rejectsShapeNotMatchingByteLength() {
    assertCorrupt(file("{" + tensor("w", "F32", "[2,2]", 0, 12) + "}", 12),
        "tensor 'w'", "shape [2, 2] of F32 needs 16 bytes", "span 12");
    assertCorrupt(file("{" + tensor("i", "I64", "[]", 0, 4) + "}", 4), "needs 8 bytes");
  }

  @Test
  void rejectsOverlappingOffsets() {
    assertCorrupt(
        file("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12)
            + "}", 12),
        "tensor 'b'", "overlap tensor 'a'");
  }

  @Test
  void rejectsGapsBetweenTensors() {
    assertCorrupt(
        file("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12)
            + "}", 12),
        "bytes 4..8 of the data belong to no tensor");
    assertCorrupt(file("{" + tensor("a", "F32", "[1]", 4, 8) + "}", 8),
        "bytes 0..4", "before tensor 'a'");
  }

  @Test
  void rejectsOffsetsBeyondTheDataAsTruncation() {
    assertCorrupt(file("{" + tensor("a", "F32", "[4]", 0, 16) + "}", 10),
        "tensor 'a' ends at data byte 16", "only 10 data bytes", "truncated");
  }

  @Test
  void rejectsTrailingBytes() {
    assertCorrupt(file("{" + tensor("a", "F32", "[1]", 0, 4) + "}", 6),
        "holds 6 data bytes but the tensors cover only 4");
  }

  @Test
  void rejectsTruncatedRealFile() throws IOException {
    byte[] full = Files.readAllBytes(fixture("mixed.safetensors"));
    assertCorrupt(Arrays.copyOf(full, full.length - 3), "truncated");
    assertCorrupt(Arrays.copyOf(full, 100), "beyond the file");
  }

  @Test
  void rejectsNonStringMetadata() {
    assertCorrupt(file("{\"__metadata__\":{\"epoch\":3}}", 0),
        "__metadata__ value for 'epoch' must be a string, found 3");
    assertCorrupt(file("{\"__metadata__\":{\"x\":null}}", 0), "value for 'x' must be a string");
    assertCorrupt(file("{\"__metadata__\":[\"x\"]}", 0), "__metadata__ must be a JSON object");
  }

  @Test
  void readErrorsFromFilesNameTheFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("broken.safetensors");
    Files.write(f, file("{" + tensor("w", "F64", "[1]", 0, 8) + "}", 8));
    assertThatThrownBy(() -> SafeTensors.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith(f + ": invalid safetensors file")
        .hasMessageContaining("F64");
    assertThatThrownBy(() -> SafeTensors.read(dir.resolve("absent.safetensors")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void largeTensorsSpanSeveralChunks(@TempDir Path dir) throws IOException {
    // 600k floats = 2.4 MB: more than one 1 MiB I/O chunk on both the write and read side.
    float[] v = new float[600_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 7;
    }
    StateDict sd =
        StateDict.builder()
            .put("big", Tensor.ofFloats(v, 600, 1000))
            .put("half", Tensor.ofFloats(DType.F16, Arrays.copyOf(v, 700_000 / 2), 350_000))
            .build();
    Path f = dir.resolve("big.safetensors");
    SafeTensors.write(sd, f);
    StateDict back = SafeTensors.read(f);
    assertThat(back).isEqualTo(sd);
    assertThat(back.get("big").getFloat(599_999)).isEqualTo(599_999 * 0.5f - 7);
  }

  static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToIntBits(v[i]); // canonical NaN: NaN payloads need not survive
    }
    return b;
  }

  static List<String> names(StateDict sd) {
    return List.copyOf(sd.names());
  }
}
