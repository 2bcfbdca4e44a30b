package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.examples.serve.ReageServer;
import io.github.fran4j.examples.serve.ServeConfig;
import io.github.fran4j.examples.serve.ServedModel;
import io.javalin.util.JavalinException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fran serve}: an HTTP API and a web page for re-aging, with one model shared by all
 * requests. Runs until SIGTERM or Ctrl-C, then finishes the requests in flight.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve re-aging over HTTP: a web page at / and the API under /v1 (see docs/serving.md).",
      "Stops on SIGTERM or Ctrl-C after finishing the requests in flight."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model file (.onnx or .safetensors).")
  Path model;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Interface to listen on (0.0.0.0: all). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Mixin FaceOptions face;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N.")
  String device;

  @Option(names = "--max-concurrent", defaultValue = "2",
      description = "Requests running the model at once. Default: ${DEFAULT-VALUE}.")
  int maxConcurrent;

  @Option(names = "--max-queue", defaultValue = "16",
      description = "Requests waiting for a slot before 429. Default: ${DEFAULT-VALUE}.")
  int maxQueue;

  @Option(names = "--max-upload-mb", defaultValue = "20",
      description = "Largest request body, MiB (413 above). Default: ${DEFAULT-VALUE}.")
  int maxUploadMb;

  @Option(names = "--max-pixels", defaultValue = "16000000",
      description = "Largest image, width x height (checked before decoding). Default: "
          + "${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(names = "--shutdown-timeout", defaultValue = "30",
      description = "Seconds a shutdown waits for requests in flight. Default: ${DEFAULT-VALUE}.")
  int shutdownSeconds;

  @Override
  public Integer call() throws Exception {
    OptionChecks.of(spec.commandLine()).inRange("--port", port, 0, 65535)
        .atLeast("--max-concurrent", maxConcurrent, 1).atLeast("--max-queue", maxQueue, 0)
        .atLeast("--max-upload-mb", maxUploadMb, 1).atLeast("--max-pixels", maxPixels, 1)
        .atLeast("--shutdown-timeout", shutdownSeconds, 0);
    face.validate(spec.commandLine());
    try {
      Device.parse(device);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--device: " + e.getMessage(), e);
    }
    ServeConfig config;
    try {
      if (maxUploadMb < 1) {
        throw new IllegalArgumentException("--max-upload-mb must be >= 1, got " + maxUploadMb);
      }
      config = ServeConfig.builder().optHost(host).optPort(port).optMaxConcurrent(maxConcurrent)
          .optMaxQueue(maxQueue).optMaxUploadBytes((long) maxUploadMb << 20).optMaxPixels(maxPixels)
          .optStopTimeout(Duration.ofSeconds(shutdownSeconds)).build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    // A server answers 422 when no face is found, rather than returning the photo unchanged.
    ReAgeOptions.Builder b = ReAgeOptions.builder().setModel(model.toString()).optDevice(device)
        .optMaxPixels(config.maxPixels()).optNoFacePolicy(NoFacePolicy.THROW);
    ReAgeOptions options;
    try {
      options = face.apply(b).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    try (ServedModel served = ServedModel.open(options)) {
      ReageServer server;
      try {
        server = ReageServer.start(served, config);
      } catch (JavalinException e) {
        throw new ParameterException(spec.commandLine(), "cannot listen on " + host + ":" + port
            + " (" + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
            + "); is another server using the port? Choose one with --port", e);
      }
      Thread hook = new Thread(() -> {
        server.close();
        served.close();
      }, "fran-serve-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      System.out.printf("fran serve: http://%s:%d/ (model %s); Ctrl-C to stop%n", host,
          server.port(), model);
      server.awaitStopped();
    }
    return 0;
  }
}
