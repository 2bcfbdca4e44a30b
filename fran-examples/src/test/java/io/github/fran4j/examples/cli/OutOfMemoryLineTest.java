package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * An {@link OutOfMemoryError} in a subcommand is one line and exit code 8 (picocli passes
 * {@code Error}s through, so it used to be a JVM stack trace); {@code --debug} adds the trace.
 */
class OutOfMemoryLineTest {
  /** A subcommand that runs out of memory. */
  @Command(name = "oom")
  static final class Oom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private static int run(StringWriter err, String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.addSubcommand("oom", new Oom());
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void anOutOfMemoryErrorIsOneLineWithItsOwnCode() {
    StringWriter err = new StringWriter();
    assertThat(run(err, "oom")).isEqualTo(ExitCodes.OUT_OF_MEMORY).isEqualTo(8);
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("fran oom: out of memory (Java heap space) with a maximum "
        + "heap of ").contains("JAVA_OPTS=-Xmx8g");
    StringWriter debug = new StringWriter();
    assertThat(run(debug, "--debug", "oom")).isEqualTo(8);
    assertThat(debug.toString()).contains("\tat ");
  }
}
