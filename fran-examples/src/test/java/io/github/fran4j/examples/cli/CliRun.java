package io.github.fran4j.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One {@code fran} command line run in-process, with what it printed: the exit code, standard
 * output and standard error.
 *
 * @param code the exit code
 * @param out what the command printed on standard output
 * @param err what the command printed on standard error
 */
record CliRun(int code, String out, String err) {
  /** Runs {@code fran ARGS} through {@link FranCli#commandLine()} and captures both streams. */
  static CliRun of(String... args) {
    CommandLine cl = FranCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
