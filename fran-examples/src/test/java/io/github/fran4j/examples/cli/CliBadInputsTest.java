package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The audit of every {@code fran} subcommand's bad inputs: each row is a command line, the exit
 * code it must give ({@link ExitCodes}) and a fragment its first line on stderr must contain
 * (naming the option, the value or file, and what was expected). No row may print a stack trace;
 * a runtime failure (any code but 2) prints exactly one line. Placeholders: {@code TMP} a fresh
 * folder, {@code IMG} a 16x16 PNG, {@code FAKE} a model of the test backend, {@code JUNK} a
 * {@code .safetensors} of garbage, {@code NONE} a file that does not exist, {@code TXT} a text file.
 */
class CliBadInputsTest {
  @TempDir static Path dir;

  @BeforeAll
  static void files() throws Exception {
    ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png",
        dir.resolve("img.png").toFile());
    Files.writeString(dir.resolve("m.fake"), "fake");
    Files.write(dir.resolve("junk.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    Files.writeString(dir.resolve("notes.txt"), "not an image");
  }

  private static final String REAGE = "reage --model FAKE --input IMG --output TMP/o.png ";
  private static final String AGES = "--from 30 --to 70 ";
  private static final String SERVE = "serve --model NONE ";
  private static final String SYNTH = "synth --out TMP/s ";
  private static final String DEMO = "demo --out TMP/d ";
  private static final String EXPORT = "export --checkpoint FAKE --out TMP/o.onnx ";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // reage: values, enums, modes, and runtime failures
      REAGE + AGES + "--face full --no-face maybe|2|--no-face 'maybe' is not a policy, expected warn",
      REAGE + "--to 70 --face full --from 200|2|--from must be a finite age in [0, 150] years, got 200",
      REAGE + "--from 30 --face full --to 70,abc|2|--to 'abc' is not an age",
      REAGE + "--from 30 --face full --to 170|2|--to must be a finite age in [0, 150]",
      REAGE + AGES + "--face full --device tpu|2|unknown device 'tpu', expected auto, cpu, cuda or cuda:N",
      REAGE + AGES + "--face full --recipe fancy|2|--recipe 'fancy' is not one of [aligned, community]",
      REAGE + AGES + "--face 1,2,3|2|--face must be auto, full or x,y,w,h",
      REAGE + AGES + "--face 0,0,-4,4|2|--face",
      REAGE + AGES + "--face full --memory -1g|2|--memory",
      REAGE + AGES + "--face full --smooth 3|2|--smooth has no effect for a single image",
      REAGE + AGES + "--face full --min-face 40|2|--min-face has no effect when the whole image is the face",
      REAGE + AGES + "--min-face 0 --detector FAKE|2|--min-face 0 must be >= 1",
      REAGE + AGES + "--landmarks FAKE|2|--landmarks needs --detector",
      REAGE + AGES + "--face full --tile-size 128|2|--tile-size has no effect when the whole image is the face",
      "reage --model NONE --input IMG --output TMP/o.png --from 30 --to 70 --face full|1|NONE",
      "reage --model JUNK --input IMG --output TMP/o.png --from 30 --to 70 --face full|3|JUNK",
      "reage --model FAKE --input TXT --output TMP/o.png --from 30 --to 70 --face full|1|TXT",
      "reage --model FAKE --input IMG --output TMP/o.gif --from 30 --to 70 --face full|2|unknown extension 'gif'",
      // synth
      SYNTH + "--size -5|2|--size -5 must be in [16, 4096]",
      SYNTH + "--identities 0|2|--identities",
      SYNTH + "--ages 50:10:5|2|--ages: ",
      SYNTH + "--val -1|2|--val",
      SYNTH + "--threads -1|2|--threads",
      SYNTH + "--contact-sheet TMP/c.png --sheet-rows 0|2|--sheet-rows",
      SYNTH + "--contact-sheet TMP/c.png --sheet-cell 0|2|--sheet-cell",
      SYNTH + "--sheet-rows 3|2|--sheet-rows has no effect without --contact-sheet",
      // dataset-info
      "dataset-info NONE|1|NONE",
      // export
      "export --checkpoint NONE --out TMP/o.onnx|1|NONE",
      EXPORT + "--precision fp8|2|fp8",
      EXPORT + "--int8 --calibration TMP --calibration-count 0|2|--calibration-count",
      EXPORT + "--int8 --calibration TMP --validation-count -1|2|--validation-count",
      EXPORT + "--int8 --calibration TMP --percentile 120|2|--percentile",
      EXPORT + "--calibration-count 5|2|--calibration-count has no effect with --precision fp32",
      EXPORT + "--precision fp16 --percentile 99|2|--percentile has no effect without --int8",
      // inspect
      "inspect NONE|1|NONE",
      "inspect TXT|3|TXT: unknown weights format; expected a .safetensors file",
      // serve
      SERVE + "--port 99999|2|--port 99999 must be in [0, 65535]",
      SERVE + "--max-concurrent 0|2|--max-concurrent",
      SERVE + "--max-queue -1|2|--max-queue",
      SERVE + "--max-upload-mb 0|2|--max-upload-mb",
      SERVE + "--max-pixels 0|2|--max-pixels",
      SERVE + "--shutdown-timeout -1|2|--shutdown-timeout",
      SERVE + "--device tpu|2|tpu",
      SERVE + "--landmarks NONE|2|--landmarks needs --detector",
      SERVE + "--face full --min-face 40|2|--min-face has no effect when the whole image is the face",
      SERVE + "--min-face 0|2|--min-face 0 must be >= 1",
      "serve --model NONE|1|NONE",
      // demo
      DEMO + "--minutes -1|2|--minutes",
      DEMO + "--size 0|2|--size",
      DEMO + "--width 3|2|--width 3 must be even in [2, 1024]",
      DEMO + "--size 40|2|--size 40 must be a multiple of 16",
      DEMO + "--recipe slow|2|--recipe",
      DEMO + "--max-rotation 50|2|--max-rotation",
      DEMO + "--upsampling cubic|2|cubic",
      DEMO + "--from 20|2|--from has no effect without --model and --input",
      DEMO + "--model FAKE --input IMG --steps 9|2|--steps has no effect in user mode",
      DEMO + "--model FAKE --input IMG --from 200|2|--from 200 must be an age in years in [0, 150]",
      DEMO + "--model FAKE --input IMG --to 30,151|2|--to 151 must be an age",
      DEMO + "--identities 0|2|--identities",
      DEMO + "--batch-identities 0|2|--batch-identities 0",
      DEMO + "--val-identities -1|2|--val-identities",
      DEMO + "--steps -5|2|--steps",
      DEMO + "--lr-g -1|2|--lr-g",
      DEMO + "--detail-weight NaN|2|--detail-weight NaN must be a finite number >= 0",
      DEMO + "--model FAKE --input IMG --detail-weight 1|2|--detail-weight has no effect in user",
      // bench, bench-case
      "bench --runs 0|2|--runs 0 must be >= 1",
      "bench --warmup -1|2|--warmup",
      "bench --sizes 0|2|--sizes",
      "bench --width 3|2|--width",
      "bench --threads -1|2|--threads",
      "bench --device tpu|2|tpu",
      "bench-case --onnx NONE --size 0 --runs 1 --warmup 0|2|--size",
      "bench-case --onnx NONE --size 64 --runs 0 --warmup 0|2|--runs",
      "bench-case --size 64 --runs 1 --warmup 0|2|--onnx",
      // train (validation only; the trainer is another module's)
      "train --data NONE --out TMP/t|1|NONE",
      "train --data TMP --out TMP-out --epochs 0|2|--epochs 0 must be >= 1",
      "train --data TMP --out TMP-out --size 0|2|--size 0 must be in [16, 4096]",
      "train --data TMP --out TMP-out --upsampling cubic|2|cubic",
      "train --data TMP --out TMP-out --device tpu|2|tpu",
      "train --data TMP --out TMP-out --max-rotation -1|2|--max-rotation -1 must be in [0, 45]",
      "train --data TMP --out TMP-out --minutes 0|2|--minutes 0 must be a finite number > 0",
      "train --data TMP --out TMP-out --detail-weight -2|2|--detail-weight -2 must be a finite "
          + "number >= 0",
  })
  void refusedWithACodeAndOneLine(String line, int code, String fragment) throws Exception {
    Path tmp = Files.createTempDirectory(dir, "case");
    String[] args = line.trim().split("\\s+");
    for (int i = 0; i < args.length; i++) {
      args[i] = expand(args[i], tmp);
    }
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = FranCli.commandLine();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    int rc = cl.execute(args);
    String text = err.toString();
    assertThat(rc).as(text).isEqualTo(code);
    List<String> lines = text.lines().toList();
    assertThat(lines).as(text).isNotEmpty();
    assertThat(lines.get(0)).as(text).contains(expand(fragment, tmp));
    assertThat(text).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception:");
    if (code != ExitCodes.USAGE) {
      assertThat(lines).as("a runtime failure is one line").hasSize(1);
    }
  }

  private static String expand(String s, Path tmp) {
    return s.replace("TMP", tmp.toString()).replace("IMG", dir.resolve("img.png").toString())
        .replace("FAKE", dir.resolve("m.fake").toString())
        .replace("JUNK", dir.resolve("junk.safetensors").toString())
        .replace("NONE", dir.resolve("absent.onnx").toString())
        .replace("TXT", dir.resolve("notes.txt").toString());
  }
}
