// Inputs for the per-megapixel memory measurement of docs/benchmarks.md ("Photo memory per
// megapixel"). Run with the fran jar on the class path (Java's single-file source launcher):
//   java -cp fran-examples/target/fran.jar bench/PhotoMemoryInputs.java inputs DIR
//     writes DIR/w8.safetensors and DIR/w16.safetensors (reference U-Nets, width 8 and 16, depth 3,
//     training resolution 128, seeded random weights) and DIR/noise-MP.jpg for MP in 0.5,2,8
//   java -cp fran-examples/target/fran.jar bench/PhotoMemoryInputs.java none IN OUT
//     decodes IN and writes it to OUT as fran does (Photos.read, Photos.write): the "none" row
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.weights.SafeTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

public class PhotoMemoryInputs {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("none")) {
      Photos.write(Photos.read(Path.of(args[1]), Long.MAX_VALUE), Path.of(args[2]));
      return;
    }
    Path dir = Files.createDirectories(Path.of(args[1]));
    for (int w : new int[] {8, 16}) {
      UNetConfig c = UNetConfig.builder().optBaseWidth(w).optDepth(3).optTrainingResolution(128).build();
      SafeTensors.write(RandomUNetWeights.create(c, 1), dir.resolve("w" + w + ".safetensors"));
    }
    SplittableRandom rnd = new SplittableRandom(7);
    for (double mp : new double[] {0.5, 2, 8}) {
      int h = (int) Math.round(Math.sqrt(mp * 1e6 * 3 / 4));
      int wd = (int) Math.round(mp * 1e6 / h);
      BufferedImage img = new BufferedImage(wd, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < wd; x++) {
          // 8x8 blocks of noise: photo-like JPEG size, not a worst case for the encoder.
          int v = (int) ((x / 8 * 31 + y / 8 * 17) * 2654435761L >>> 8) & 0xffffff;
          img.setRGB(x, y, v);
        }
      }
      Photos.write(img, dir.resolve("noise-" + mp + ".jpg"));
    }
  }
}
