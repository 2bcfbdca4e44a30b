/**
 * The {@code fran} command-line tool (picocli): {@link io.github.fran4j.examples.cli.FranCli} is
 * the root command and {@code main} class of the shaded {@code fran.jar}; its subcommands
 * ({@code export}, {@code reage}, {@code bench}, {@code inspect}, ...) are thin wrappers over the
 * public API of fran-core and fran-onnx. Classes other than {@code FranCli} are package-private:
 * the command line, not these classes, is the supported interface.
 */
package io.github.fran4j.examples.cli;
