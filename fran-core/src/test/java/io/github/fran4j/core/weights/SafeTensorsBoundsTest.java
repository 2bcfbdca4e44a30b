package io.github.fran4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers that are small in bytes but huge in work: a million empty tensors, long arrays, deep
 * nesting. Before the header was parsed as a stream with bounds, an 89 MB header of empty tensors
 * (under the 100 MB byte limit) took 3.2 GB and 18 s to refuse.
 */
class SafeTensorsBoundsTest {
  @TempDir Path tmp;

  /**
   * Writes a safetensors file whose header lists {@code count} empty F32 tensors.
   *
   * @param file the target
   * @param count how many tensors
   * @return the header's length in bytes
   */
  static long writeEmptyTensors(Path file, int count) throws IOException {
    StringBuilder sb = new StringBuilder(count * 56 + 2).append('{');
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    byte[] header = sb.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
      out.write(header);
    }
    return header.length;
  }

  @Test
  void tooManyTensorsAreRefusedByCount() throws Exception {
    Path file = tmp.resolve("many.safetensors");
    writeEmptyTensors(file, SafeTensors.MAX_TENSORS + 1);
    assertThatThrownBy(() -> SafeTensors.read(file))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("more than " + SafeTensors.MAX_TENSORS + " tensors");
  }

  @Test
  void exactlyTheLimitIsStillRead() throws Exception {
    Path file = tmp.resolve("limit.safetensors");
    writeEmptyTensors(file, 1000);
    assertThat(SafeTensors.read(file).size()).isEqualTo(1000);
  }

  @Test
  void longArraysDuplicatesAndDeepNestingAreNamed() throws Exception {
    assertThatThrownBy(() -> SafeTensors.read(header("{\"a\":{\"dtype\":\"F32\",\"shape\":["
        + "1,".repeat(100) + "1],\"data_offsets\":[0,4]}}"), "x"))
        .hasMessageContaining("tensor 'a'").hasMessageContaining("longer than 64");
    assertThatThrownBy(() -> SafeTensors.read(header("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],"
        + "\"data_offsets\":[0,0]},\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"),
        "x")).hasMessageContaining("names 'a' twice");
    assertThatThrownBy(() -> SafeTensors.read(header("{\"a\":{\"dtype\":[[[[1]]]]}}"), "x"))
        .hasMessageContaining("nested deeper");
  }

  private static byte[] header(String json) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
        .array();
  }

  /**
   * The file: 89 MB of empty tensors, read in a child JVM with a 200 MB heap (the tree
   * parse needed 3.2 GB): it must be refused with the tensor-count message, not run out of memory.
   */
  @Test
  void anEightyNineMegabyteHeaderIsRefusedInASmallHeap() throws Exception {
    Path file = tmp.resolve("huge.safetensors");
    long len = writeEmptyTensors(file, 1_600_000);
    assertThat(len).isBetween(85_000_000L, SafeTensors.MAX_HEADER_BYTES);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-Xmx200m", "-XX:-UsePerfData", "-cp",
        System.getProperty("java.class.path"), ReadOne.class.getName(), file.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("more than " + SafeTensors.MAX_TENSORS + " tensors")
        .doesNotContain("OutOfMemoryError");
    assertThat(p.exitValue()).as(out).isEqualTo(3);
  }

  /** Reads one file; exit 3 with the message for a ModelFormatException. */
  static final class ReadOne {
    private ReadOne() {}

    public static void main(String[] args) throws Exception {
      try {
        SafeTensors.read(Path.of(args[0]));
        System.exit(0);
      } catch (ModelFormatException e) {
        System.out.println(e.getMessage());
        System.exit(3);
      }
    }
  }
}
