package io.github.fran4j.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path tmp;

  private long entries() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.count();
    }
  }

  @Test
  void aFailureHalfwayLeavesTheOldContentAndNoTemporaryFile() throws Exception {
    Path target = tmp.resolve("photo.png");
    Files.writeString(target, "the original");
    // A disk that fills up after some bytes: the content writer fails halfway.
    assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
      out.write(new byte[100_000]);
      throw new IOException("No space left on device");
    })).isInstanceOf(IOException.class)
        .hasMessageContaining(target.toString())
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("unchanged");
    assertThat(Files.readString(target)).isEqualTo("the original");
    assertThat(entries()).isEqualTo(1);
  }

  @Test
  void aNewFileIsNotLeftHalfWritten() throws Exception {
    Path target = tmp.resolve("new.bin");
    assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
      out.write(1);
      throw new IllegalStateException("encoder bug");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(target).doesNotExist();
    assertThat(entries()).isZero();
  }

  @Test
  void replacesTheContentWhole() throws Exception {
    Path target = tmp.resolve("a.txt");
    Files.writeString(target, "a much longer original content");
    AtomicFiles.writeString(target, "new");
    assertThat(Files.readString(target, StandardCharsets.UTF_8)).isEqualTo("new");
    assertThat(entries()).isEqualTo(1);
  }

  @Test
  void aFolderOrAMissingFolderIsNamed() throws Exception {
    assertThatThrownBy(() -> AtomicFiles.write(tmp, new byte[1]))
        .hasMessageContaining(tmp.toString()).hasMessageContaining("is a folder");
    Path missing = tmp.resolve("no/such/dir/x.png");
    assertThatThrownBy(() -> AtomicFiles.write(missing, new byte[1]))
        .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
  }

  @Test
  void photosWriteOntoAFolderSaysItIsAFolder() {
    // Was "unknown extension ''".
    assertThatThrownBy(() -> Photos.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), tmp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tmp.toString()).hasMessageContaining("is a folder");
  }
}
