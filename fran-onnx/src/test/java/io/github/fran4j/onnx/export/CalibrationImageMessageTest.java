package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A PNG cut inside its header gave ImageIO's "I/O error reading PNG header!" with no file name. */
class CalibrationImageMessageTest {
  @TempDir Path tmp;

  @Test
  void aPngCutInItsHeaderIsNamed() throws Exception {
    byte[] cut = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H'};
    Path bad = Files.write(tmp.resolve("cut.png"), cut);
    assertThatThrownBy(() -> CalibrationImages.load(tmp, 8, 4, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(bad.toString());
  }
}
