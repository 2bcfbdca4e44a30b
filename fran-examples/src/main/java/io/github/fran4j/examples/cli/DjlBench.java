package io.github.fran4j.examples.cli;

import io.github.fran4j.core.spi.Backends;

/**
 * Whether {@code fran bench} can time fran-training's DJL U-Net: it runs through the backend SPI
 * like every other backend (the {@value #BACKEND} provider), so a build without fran-training
 * simply has no such provider and the table says the comparison was skipped. Stateless.
 */
final class DjlBench {
  /** The DJL backend's provider name ({@code DjlBackendProvider.NAME} in fran-training). */
  static final String BACKEND = "djl";

  private DjlBench() {}

  /** Returns whether a backend provider named {@value #BACKEND} is on the class path. */
  static boolean available() {
    return Backends.providers().stream().anyMatch(p -> p.name().equals(BACKEND));
  }

  /** Returns a line saying whether DJL figures are included. */
  static String describeAvailability() {
    return available()
        ? "DJL: the '" + BACKEND + "' backend found; rows 'djl eval' above"
        : "DJL: skipped, no '" + BACKEND + "' backend (fran-training) on the class path of this "
            + "build";
  }
}
