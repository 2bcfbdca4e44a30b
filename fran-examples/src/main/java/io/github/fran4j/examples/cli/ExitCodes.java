package io.github.fran4j.examples.cli;

import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.NoBackendException;
import io.github.fran4j.core.pipeline.NoFaceException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The {@code fran} exit codes and the one place that maps an exception to its code and its one
 * line on stderr (documented in docs/troubleshooting.md, "Exit codes"). With {@code --debug} the
 * stack trace follows the line. Thread-safe (stateless).
 */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
  /** Success. */
  static final int OK = 0;
  /** A file, folder or data problem: missing, unreadable, not an image, not a dataset. */
  static final int FAILED = 1;
  /** A usage error: a bad option or argument value. */
  static final int USAGE = 2;
  /** A model file whose content is not a valid model ({@link ModelFormatException}). */
  static final int MODEL_FORMAT = 3;
  /** No backend on the class path accepts the model ({@link NoBackendException}). */
  static final int NO_BACKEND = 4;
  /** A requested device cannot be used ({@link DeviceUnavailableException}). */
  static final int DEVICE_UNAVAILABLE = 5;
  /** The inference engine failed ({@link EngineException}). */
  static final int ENGINE_FAILURE = 6;
  /** No face found with {@code --no-face fail} ({@link NoFaceException}). */
  static final int NO_FACE = 7;
  /** The JVM ran out of memory ({@link OutOfMemoryError}) despite the photo memory budget. */
  static final int OUT_OF_MEMORY = 8;
  /** An unexpected internal error: a bug; rerun with {@code --debug} and report the trace. */
  static final int INTERNAL = 70;

  /**
   * Returns the exit code for an exception.
   *
   * @param t the exception a subcommand threw
   * @return one of the codes of this class
   */
  static int of(Throwable t) {
    if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException) {
      return USAGE;
    }
    if (t instanceof ModelFormatException) {
      return MODEL_FORMAT;
    }
    if (t instanceof NoBackendException) {
      return NO_BACKEND;
    }
    if (t instanceof DeviceUnavailableException) {
      return DEVICE_UNAVAILABLE;
    }
    if (t instanceof EngineException) {
      return ENGINE_FAILURE;
    }
    if (t instanceof NoFaceException) {
      return NO_FACE;
    }
    if (t instanceof IOException || t instanceof UncheckedIOException
        || t instanceof io.github.fran4j.core.FranException) {
      return FAILED;
    }
    return INTERNAL;
  }

  /**
   * Returns the one line printed for an exception: its message on one line, or for an internal
   * error its type too and where to look.
   *
   * @param t the exception
   * @return the line, without the command name
   */
  static String line(Throwable t) {
    String msg = t.getMessage() == null ? t.getClass().getSimpleName()
        : t.getMessage().replaceAll("\\s*\\R\\s*", " ").trim();
    return of(t) == INTERNAL
        ? "internal error (" + t.getClass().getName() + "): " + msg
            + "; rerun with --debug for the stack trace"
        : msg;
  }

  /**
   * Runs a parsed command line, turning an {@link OutOfMemoryError} (which picocli passes through,
   * being an {@code Error}) into one line and {@link #OUT_OF_MEMORY}, with the stack trace only
   * under {@code --debug}.
   *
   * @param parsed the parse result
   * @return the exit code
   */
  static int execute(ParseResult parsed) {
    try {
      return new CommandLine.RunLast().execute(parsed);
    } catch (OutOfMemoryError e) {
      CommandLine cl = parsed.commandSpec().commandLine();
      for (ParseResult p = parsed; p.subcommand() != null; p = p.subcommand()) {
        cl = p.subcommand().commandSpec().commandLine();
      }
      PrintWriter err = cl.getErr();
      err.println(cl.getCommandSpec().qualifiedName() + ": out of memory (" + e.getMessage()
          + ") with a maximum heap of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; "
          + "re-age aligned face crops instead of --face full, use a smaller photo or --memory, "
          + "or give Java more memory (JAVA_OPTS=-Xmx8g)");
      if (debug(parsed)) {
        e.printStackTrace(err);
      }
      err.flush();
      return OUT_OF_MEMORY;
    }
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, ParseResult full) {
    PrintWriter err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + line(ex));
    if (debug(full)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return of(ex);
  }

  /** Returns whether {@code --debug} was given to the command or any of its parents. */
  private static boolean debug(ParseResult r) {
    for (ParseResult p = r; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }
}
