package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.fran4j.core.ReAger;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AgeFaceTest {
  private static final Path MODEL = Path.of(System.getProperty("consumer.model"));

  @Test
  void reagesThroughOnnxRuntime() throws Exception {
    BufferedImage face = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        face.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | 128);
      }
    }
    try (ReAger reager = ReAger.load(MODEL)) {
      assertTrue(reager.describe().startsWith("onnxruntime"), reager.describe());
      BufferedImage older = reager.reage(face, 70, 25);
      assertEquals(32, older.getWidth());
      assertEquals(32, older.getHeight());
      int changed = 0;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          changed += older.getRGB(x, y) != face.getRGB(x, y) ? 1 : 0;
        }
      }
      assertTrue(changed > 0, "the model's delta changed no pixel");
    }
    BufferedImage viaProgram = AgeFace.older(MODEL, face);
    assertEquals(32, viaProgram.getWidth());
  }
}
