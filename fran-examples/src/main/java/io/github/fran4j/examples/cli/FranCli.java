package io.github.fran4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code fran} command line: one subcommand per job (data, training, export, re-aging, demo,
 * benchmarks). Run {@code java -jar fran-examples/target/fran.jar --help}. A failure is one line
 * on stderr and an exit code from {@link ExitCodes}; {@code --debug} adds the stack trace.
 */
@Command(
    name = "fran",
    mixinStandardHelpOptions = true,
    versionProvider = FranCli.Version.class,
    description = "FRAN for Java: production face re-aging.",
    subcommands = {
      CommandLine.HelpCommand.class,
      SynthCommand.class,
      DatasetInfoCommand.class,
      TrainCommand.class,
      ExportCommand.class,
      ReageCommand.class,
      DemoCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      BenchCaseCommand.class,
      InspectCommand.class,
      ServeCommand.class,
    })
public final class FranCli {
  @Option(names = "--debug", scope = ScopeType.INHERIT,
      description = "On an error, print the stack trace after the one-line message.")
  boolean debug;

  private FranCli() {}

  /**
   * Builds the command line with all subcommands.
   *
   * @return a picocli command line ready to execute
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new FranCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(new ExitCodes());
    cl.setExecutionStrategy(ExitCodes::execute);
    return cl;
  }

  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Reports the project version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FranCli.class.getPackage().getImplementationVersion();
      return new String[] {"fran " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
