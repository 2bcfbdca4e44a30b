package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Options with values out of range, or that do nothing in the chosen mode, are usage errors
 * (exit 2) naming the option and the reason; before, they were silently accepted (e.g.
 * {@code --no-face maybe} meant warn).
 */
class ReageOptionsTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "--no-face|maybe|is not a policy, expected warn",
      "--smooth|-1|--smooth -1.0 must be a finite sigma >= 0",
      "--smooth|NaN|--smooth NaN must be a finite sigma",
      "--tile-size|-8|--tile-size -8 must be >= 0",
      "--min-face|-3|--min-face -3 must be >= 1",
      "--crop-resolution|-1|--crop-resolution -1 must be >= 0",
      "--max-pixels|0|--max-pixels 0 must be > 0",
      "--landmarks|lm.onnx|--landmarks needs --detector",
      "--crop-resolution|256|--crop-resolution has no effect when the whole image is the face",
      "--tile-size|64|--tile-size has no effect when the whole image is the face",
  })
  void refusedWithTheReason(String option, String value, String message) throws Exception {
    Path in = tmp.resolve("in.png");
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", in.toFile());
    Path model = Files.writeString(tmp.resolve("m.fake"), "fake");
    Path out = tmp.resolve("out.png");
    List<String> args = new ArrayList<>(List.of("reage", "--model", model.toString(), "--input",
        in.toString(), "--output", out.toString(), "--from", "30", "--to", "70", "--face", "full"));
    args.add(option);
    args.add(value);
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args.toArray(String[]::new));
    assertThat(rc).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains(message);
    assertThat(out).doesNotExist();
  }
}
