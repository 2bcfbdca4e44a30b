package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.SafeTensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fran serve}'s refusals: one line and exit code 2, never a server left running. */
class ServeCommandTest {
  @TempDir Path tmp;

  private static String run(int expectedRc, String... args) {
    CommandLine cl = FranCli.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute(args)).as(err.toString()).isEqualTo(expectedRc);
    return err.toString();
  }

  @Test
  void badLimitsAreRefusedBeforeLoading() {
    assertThat(run(2, "serve", "--model", "absent.onnx", "--max-concurrent", "0"))
        .contains("--max-concurrent 0 must be >= 1");
    assertThat(run(2, "serve", "--model", "absent.onnx", "--max-upload-mb", "0"))
        .contains("--max-upload-mb 0 must be >= 1");
    assertThat(run(2, "serve", "--model", "absent.onnx", "--port", "70000"))
        .contains("--port 70000 must be in [0, 65535]");
    assertThat(run(2, "serve", "--model", "absent.onnx", "--face", "1,2"))
        .contains("--face must be auto, full or x,y,w,h");
  }

  @Test
  void aPortInUseIsOneLine() throws Exception {
    Path model = tmp.resolve("tiny.safetensors");
    SafeTensors.write(RandomUNetWeights.create(UNetConfig.builder().optBaseWidth(4).optDepth(2)
        .optTrainingResolution(32).build(), 1), model);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String err = run(2, "serve", "--model", model.toString(), "--port",
          Integer.toString(taken.getLocalPort()));
      assertThat(err).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("--port").doesNotContain("\tat ");
    }
  }
}
