package example;

import io.github.fran4j.core.ReAger;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A user's program: re-ages a face from 25 to 70 with a FRAN model. */
public final class AgeFace {
  private AgeFace() {}

  /** Re-ages {@code face} (25 years old) to 70 with the model at {@code model}. */
  public static BufferedImage older(Path model, BufferedImage face) throws IOException {
    try (ReAger reager = ReAger.load(model)) {
      return reager.reage(face, 25, 70);
    }
  }

  /** {@code java example.AgeFace MODEL IN.png OUT.png}. */
  public static void main(String[] args) throws IOException {
    BufferedImage face = ImageIO.read(new File(args[1]));
    ImageIO.write(older(Path.of(args[0]), face), "png", new File(args[2]));
  }
}
