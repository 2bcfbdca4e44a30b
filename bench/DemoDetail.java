// How much of the true change a `fran demo` model draws, broad and fine, for docs/training.md
// ("Fourth session"). Run with the fran jar on the class path (Java's single-file source launcher):
//   java -cp fran-examples/target/fran.jar bench/DemoDetail.java DEMO_OUT
// It re-ages every held-out identity of DEMO_OUT/data/val from 30 to 60 and to 75 with
// DEMO_OUT/model.onnx and prints, per target age:
//   change captured = 1 - sum|model - truth| / sum|input - truth|   (the demo's own figure)
//   detail captured = the same on the high-pass part (x - blur(x), the 3x3 [1 2 1] filter with
//                     reflect padding, as the training's detail term): one-pixel structure such as
//                     wrinkle lines and hair strands, which broad changes (skin tone, grey) leave out.
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

public class DemoDetail {
  public static void main(String[] args) throws Exception {
    Path demo = Path.of(args[0]);
    Path val = demo.resolve("data/val");
    List<Path> inputs;
    try (Stream<Path> s = Files.list(val.resolve("30"))) {
      inputs = s.sorted().toList();
    }
    try (ReAger reager = ReAger.load(demo.resolve("model.onnx"))) {
      for (int target : new int[] {60, 75}) {
        double[] sums = new double[4]; // model L1, input L1, model high-pass, input high-pass
        for (Path in : inputs) {
          BufferedImage input = Photos.read(in, Long.MAX_VALUE);
          BufferedImage truth = Photos.read(val.resolve(target + "/" + in.getFileName()),
              Long.MAX_VALUE);
          BufferedImage model = reager.reage(input, 30, target);
          for (int c = 0; c < 3; c++) {
            double[][] modelError = error(model, truth, c);
            double[][] inputError = error(input, truth, c);
            sums[0] += absSum(modelError, false);
            sums[1] += absSum(inputError, false);
            sums[2] += absSum(modelError, true);
            sums[3] += absSum(inputError, true);
          }
        }
        System.out.printf("%s 30->%d (%d identities): change captured %.1f%%, detail captured "
            + "%.1f%%%n", demo.getFileName(), target, inputs.size(), 100 * (1 - sums[0] / sums[1]),
            100 * (1 - sums[2] / sums[3]));
      }
    }
  }

  private static double[][] error(BufferedImage a, BufferedImage b, int channel) {
    int shift = 16 - 8 * channel;
    double[][] e = new double[a.getHeight()][a.getWidth()];
    for (int y = 0; y < e.length; y++) {
      for (int x = 0; x < e[0].length; x++) {
        e[y][x] = (((a.getRGB(x, y) >> shift) & 255) - ((b.getRGB(x, y) >> shift) & 255)) / 255.0;
      }
    }
    return e;
  }

  private static double absSum(double[][] e, boolean highPass) {
    int h = e.length;
    int w = e[0].length;
    int[] k = {1, 2, 1};
    double sum = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double v = e[y][x];
        if (highPass) {
          double blur = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              blur += k[dy + 1] * k[dx + 1] * e[reflect(y + dy, h)][reflect(x + dx, w)] / 16;
            }
          }
          v -= blur;
        }
        sum += Math.abs(v);
      }
    }
    return sum;
  }

  private static int reflect(int i, int n) {
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
  }
}
