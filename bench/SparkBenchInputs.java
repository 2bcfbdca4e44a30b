import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.weights.SafeTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Inputs of bench/spark-overhead.sh: the seed-size generator (width 64, depth 4, 31.0M parameters)
 * with seeded random weights as {@code model.safetensors}, and {@code count} random-pixel 256x256
 * PNGs in {@code in/}. Run on the fran.jar class path: {@code java -cp fran.jar
 * bench/SparkBenchInputs.java DIR COUNT}.
 */
public class SparkBenchInputs {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    Files.createDirectories(dir.resolve("in"));
    UNetConfig config = UNetConfig.builder().optBaseWidth(64).optDepth(4)
        .optTrainingResolution(256).build();
    SafeTensors.write(RandomUNetWeights.create(config, 1), dir.resolve("model.safetensors"));
    Random r = new Random(7);
    for (int i = 0; i < count; i++) {
      BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 256; y++) {
        for (int x = 0; x < 256; x++) {
          img.setRGB(x, y, r.nextInt() & 0xffffff);
        }
      }
      Photos.write(img, dir.resolve(String.format("in/img%03d.png", i)));
    }
  }
}
