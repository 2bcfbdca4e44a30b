package io.github.fran4j.examples.serve;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A load generator for {@code fran serve}: N clients post {@code /v1/reage} back to back for a
 * bounded time and request count, and it reports requests per second, p50/p99 latency, 429s,
 * other errors and the server's resident memory at start and end. It refuses any address but
 * loopback, so it cannot be pointed at someone else's server.
 *
 * <pre>{@code
 * java -cp fran-examples/target/fran.jar io.github.fran4j.examples.serve.LoadBench \
 *     --url http://127.0.0.1:8080 --clients 8 --seconds 60 --pid SERVER_PID
 * }</pre>
 */
@Command(name = "LoadBench", mixinStandardHelpOptions = true,
    description = "Loopback-only load test of fran serve's POST /v1/reage.")
public final class LoadBench implements Callable<Integer> {
  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
      description = "The server (loopback only). Default: ${DEFAULT-VALUE}.")
  URI url;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients.")
  int clients;

  @Option(names = "--seconds", defaultValue = "60", description = "How long to run.")
  int seconds;

  @Option(names = "--max-requests", defaultValue = "1000000", description = "Stop after this many.")
  long maxRequests;

  @Option(names = "--image", description = "Photo to send (default: a synthetic 128x128 PNG).")
  Path image;

  @Option(names = "--pid", defaultValue = "-1",
      description = "The server's process id, to read its RSS (default: this process).")
  long pid;

  /** What a run measured. */
  static final class Report {
    long requests;
    long ok;
    long rejected;
    long errors;
    double seconds;
    double p50Millis;
    double p99Millis;
    long rssStartKb;
    long rssEndKb;
    final List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());

    double requestsPerSecond() {
      return requests / seconds;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "requests %d in %.1f s = %.1f req/s; ok %d, 429 %d, errors %d;"
          + " latency of ok p50 %.1f ms, p99 %.1f ms; server RSS %.1f MB at start, %.1f MB at end%s",
          requests, seconds, requestsPerSecond(), ok, rejected, errors, p50Millis, p99Millis,
          rssStartKb / 1024.0, rssEndKb / 1024.0,
          errorSamples.isEmpty() ? "" : "; first errors: " + errorSamples.subList(0,
              Math.min(3, errorSamples.size())));
    }
  }

  /**
   * Runs the load test from the command line.
   *
   * @param args see {@code --help}
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    byte[] png = image != null ? Files.readAllBytes(image) : syntheticPng(128);
    long serverPid = pid > 0 ? pid : ProcessHandle.current().pid();
    Report r = run(url, clients, Duration.ofSeconds(seconds), maxRequests, png, serverPid);
    System.out.println(r);
    return r.errors == 0 ? 0 : 1;
  }

  /**
   * Runs the load.
   *
   * @param base the server's base URL; must resolve to a loopback address
   * @param clients concurrent clients
   * @param duration the time bound
   * @param maxRequests the request-count bound
   * @param png the photo to post
   * @param serverPid the process whose RSS to read from /proc (0 or less: none)
   * @return what was measured
   */
  static Report run(URI base, int clients, Duration duration, long maxRequests, byte[] png,
      long serverPid) throws IOException, InterruptedException {
    checkArgument(InetAddress.getByName(base.getHost()).isLoopbackAddress(),
        "load tests run against loopback only (127.0.0.1), got %s", base);
    checkArgument(clients >= 1 && maxRequests >= 1, "need at least one client and one request");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI target = base.resolve("/v1/reage");
    Report report = new Report();
    report.rssStartKb = rssKb(serverPid);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong issued = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong rejected = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(pool.submit(() -> {
          while (System.nanoTime() < deadline && issued.incrementAndGet() <= maxRequests) {
            MultipartBody body = new MultipartBody().file("image", "face.png", "image/png", png)
                .field("input_age", "30").field("target_age", "70");
            HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(120))
                .header("Content-Type", body.contentType()).POST(body.publisher()).build();
            long t0 = System.nanoTime();
            try {
              HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
              if (resp.statusCode() == 200) {
                latencies.add(System.nanoTime() - t0);
                ok.incrementAndGet();
              } else if (resp.statusCode() == 429) {
                rejected.incrementAndGet();
              } else {
                errors.incrementAndGet();
                report.errorSamples.add(resp.statusCode() + " " + new String(resp.body(),
                    java.nio.charset.StandardCharsets.UTF_8));
              }
            } catch (IOException e) {
              errors.incrementAndGet();
              report.errorSamples.add(e.toString());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("a load client failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    report.seconds = (System.nanoTime() - start) / 1e9;
    report.ok = ok.get();
    report.rejected = rejected.get();
    report.errors = errors.get();
    report.requests = report.ok + report.rejected + report.errors;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    report.p50Millis = percentile(sorted, 0.50) / 1e6;
    report.p99Millis = percentile(sorted, 0.99) / 1e6;
    report.rssEndKb = rssKb(serverPid);
    return report;
  }

  /** Nearest-rank percentile of sorted values; 0 when there are none. */
  static double percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /** Reads VmRSS of a process from /proc, in kB; 0 when unavailable (not Linux, no such pid). */
  static long rssKb(long pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** A smooth synthetic photo, so that the bench needs no file. */
  static byte[] syntheticPng(int size) throws IOException {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        img.setRGB(x, y, (40 + 200 * x / size) << 16 | (30 + 180 * y / size) << 8 | 120);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
