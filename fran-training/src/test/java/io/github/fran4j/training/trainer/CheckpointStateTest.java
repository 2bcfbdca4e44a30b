package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A state.json missing a field gave a NullPointerException; now the field is named. */
class CheckpointStateTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"version\":1,\"epoch\":2,\"global_step\":9,\"resume_key\":{}}|field 'batch' is missing",
      "{\"version\":1,\"batch\":0,\"global_step\":9,\"resume_key\":{}}|field 'epoch' is missing",
      "{\"version\":1,\"epoch\":\"x\",\"batch\":0,\"global_step\":9,\"resume_key\":{}}"
          + "|field 'epoch' is \"x\", expected a non-negative integer",
      "{\"version\":1,\"epoch\":-1,\"batch\":0,\"global_step\":9,\"resume_key\":{}}"
          + "|field 'epoch' is -1",
      "{\"version\":1,\"epoch\":2,\"batch\":0,\"global_step\":9}|field 'resume_key' is missing",
      "{\"epoch\":2}|field 'version' is missing",
  })
  void aDamagedStateNamesTheField(String json, String message) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("step-9"));
    Files.writeString(dir.resolve("state.json"), json);
    assertThatThrownBy(() -> RunDirectory.readCheckpoint(dir))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(dir.resolve("state.json").toString())
        .hasMessageContaining(message);
  }

  @Test
  void aStateThatIsNotAnObjectIsNamed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("step-1"));
    Files.writeString(dir.resolve("state.json"), "[1]");
    assertThatThrownBy(() -> RunDirectory.readCheckpoint(dir))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("state.json");
  }
}
