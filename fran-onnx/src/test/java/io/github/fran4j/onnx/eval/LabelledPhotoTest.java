package io.github.fran4j.onnx.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ages from file names and from a CSV, and the errors naming the file without an age. */
class LabelledPhotoTest {
  @TempDir Path tmp;

  @Test
  void readsTheAgeAfterTheLastUnderscore() {
    assertThat(LabelledPhoto.ageFromName("anna_35.jpg")).isEqualTo(35.0);
    assertThat(LabelledPhoto.ageFromName("jean_paul_62.5.png")).isEqualTo(62.5);
    assertThat(LabelledPhoto.ageFromName("anna.jpg")).isNull();
    assertThat(LabelledPhoto.ageFromName("anna_x.jpg")).isNull();
  }

  @Test
  void scansAFolderSortedByName() throws Exception {
    Files.writeString(tmp.resolve("b_50.png"), "");
    Files.writeString(tmp.resolve("a_30.jpg"), "");
    Files.writeString(tmp.resolve("notes.txt"), "");
    List<LabelledPhoto> p = LabelledPhoto.scan(tmp, null);
    assertThat(p).extracting(LabelledPhoto::age).containsExactly(30.0, 50.0);
    assertThat(p.get(0).file().getFileName().toString()).isEqualTo("a_30.jpg");
  }

  @Test
  void aPhotoWithoutAnAgeIsNamed() throws Exception {
    Files.writeString(tmp.resolve("a_30.jpg"), "");
    Files.writeString(tmp.resolve("bob.jpg"), "");
    assertThatThrownBy(() -> LabelledPhoto.scan(tmp, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bob.jpg")
        .hasMessageContaining("name_AGE");
  }

  @Test
  void readsAgesFromACsv() throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("p"));
    Files.writeString(photos.resolve("bob.jpg"), "");
    Files.writeString(photos.resolve("eve_20.jpg"), "");
    Path csv = tmp.resolve("ages.csv");
    Files.writeString(csv, "file,age\nbob.jpg,41\neve_20.jpg, 67\n");
    assertThat(LabelledPhoto.scan(photos, csv)).extracting(LabelledPhoto::age)
        .containsExactly(41.0, 67.0);
    Files.writeString(csv, "file,age\nbob.jpg,41\n");
    assertThatThrownBy(() -> LabelledPhoto.scan(photos, csv))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eve_20.jpg");
    Files.writeString(csv, "bob.jpg,41\neve_20.jpg,67\nzed.jpg,3\n");
    assertThatThrownBy(() -> LabelledPhoto.scan(photos, csv))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zed.jpg");
    assertThatThrownBy(() -> LabelledPhoto.scan(photos, tmp.resolve("none.csv")))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("none.csv");
    assertThatThrownBy(() -> LabelledPhoto.scan(tmp.resolve("nodir"), null))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nodir");
  }
}
