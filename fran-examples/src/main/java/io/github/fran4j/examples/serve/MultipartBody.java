package io.github.fran4j.examples.serve;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Builds a {@code multipart/form-data} request body for {@link java.net.http.HttpClient}, which
 * has none of its own: text fields and file parts. Not thread-safe.
 */
final class MultipartBody {
  private final String boundary = "fran-" + UUID.randomUUID();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Adds a text field. */
  MultipartBody field(String name, String value) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n"
        + value + "\r\n");
    return this;
  }

  /** Adds a file part. */
  MultipartBody file(String name, String filename, String contentType, byte[] content) {
    write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
        + "\"; filename=\"" + filename + "\"\r\nContent-Type: " + contentType + "\r\n\r\n");
    out.writeBytes(content);
    write("\r\n");
    return this;
  }

  /** Returns the Content-Type header value, with the boundary. */
  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  /** Returns the finished body as a publisher. */
  HttpRequest.BodyPublisher publisher() {
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    copy.writeBytes(out.toByteArray());
    copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return HttpRequest.BodyPublishers.ofByteArray(copy.toByteArray());
  }

  private void write(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }
}
