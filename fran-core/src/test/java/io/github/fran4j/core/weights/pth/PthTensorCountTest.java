package io.github.fran4j.core.weights.pth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.weights.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pickle of more empty tensors than any model has is refused by count, like safetensors. */
class PthTensorCountTest {
  @TempDir Path tmp;

  @Test
  void tooManyTensorsAreRefusedByCount() {
    PickleBuilder b = PickleBuilder.proto2().op('}').op('(');
    for (int i = 0; i <= SafeTensors.MAX_TENSORS; i++) {
      b.str("t" + i).tensor("FloatStorage", "0", 0, 0, new long[] {0}, new long[] {1});
    }
    byte[] pkl = b.op('u').stop();
    Path f = PickleBuilder.zip(tmp.resolve("many.pth"),
        Map.of("archive/data.pkl", pkl, "archive/data/0", new byte[0]));
    assertThatThrownBy(() -> PthReader.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("many.pth")
        .hasMessageContaining("more than " + SafeTensors.MAX_TENSORS + " tensors");
  }
}
