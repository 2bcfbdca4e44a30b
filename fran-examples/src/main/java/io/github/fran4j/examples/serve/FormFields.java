package io.github.fran4j.examples.serve;

import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Photos;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads the fields of a multipart request; every problem is an {@link InvalidFieldException}
 * naming the field. Stateless.
 */
final class FormFields {
  /** Plain decimal numbers only: Java's parser would also take "NaN", "0x1p3" and "70d". */
  private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(\\.\\d+)?");

  private FormFields() {}

  /** Returns the raw bytes of a required file part. */
  static byte[] file(Context ctx, String field) throws IOException {
    UploadedFile f = ctx.isMultipartFormData() ? ctx.uploadedFile(field) : null;
    if (f == null) {
      throw new InvalidFieldException(field, "missing: send it as a file part named '" + field
          + "' of a multipart/form-data request");
    }
    try (InputStream in = f.content()) {
      return in.readAllBytes();
    }
  }

  /** Returns whether a file part is present. */
  static boolean hasFile(Context ctx, String field) {
    return ctx.isMultipartFormData() && ctx.uploadedFile(field) != null;
  }

  /**
   * Decodes an image part with the pixel limit checked from its header, before decoding, so that
   * a decompression bomb costs nothing.
   */
  static BufferedImage image(byte[] bytes, String field, long maxPixels) {
    try {
      return Photos.read(bytes, field, maxPixels);
    } catch (IOException | RuntimeException e) {
      // ImageIO's decoders throw unchecked exceptions on some corrupt files too.
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new InvalidFieldException(field, why.startsWith(field + ":") ? why
          : field + ": cannot decode the image (" + why + ")", e);
    }
  }

  /** Returns a required text field. */
  static String text(Context ctx, String field) {
    String v = ctx.formParam(field);
    if (v == null || v.isBlank()) {
      throw new InvalidFieldException(field, "missing: " + field + " is required");
    }
    return v.trim();
  }

  /** Returns an optional text field, or null. */
  static String optText(Context ctx, String field) {
    String v = ctx.formParam(field);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** Parses an age in years, in [0, 150]. */
  static double age(String text, String field) {
    if (!NUMBER.matcher(text).matches()) {
      throw new InvalidFieldException(field,
          field + " must be an age in years (a number in [0, 150]), got '" + text + "'");
    }
    try {
      return AgeMap.checkAge(Double.parseDouble(text), field);
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException(field, e.getMessage(), e);
    }
  }

  /** Parses a comma-separated list of ages, at most {@code max} of them. */
  static double[] ages(String text, String field, int max) {
    String[] parts = text.split(",", -1);
    if (parts.length > max) {
      throw new InvalidFieldException(field, String.format(Locale.ROOT,
          "%s lists %d ages, at most %d are allowed", field, parts.length, max));
    }
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = age(parts[i].trim(), field);
      for (int j = 0; j < i; j++) {
        if (out[j] == out[i]) {
          throw new InvalidFieldException(field, field + " lists the age " + parts[i].trim()
              + " twice");
        }
      }
    }
    return out;
  }

  /**
   * Reads the {@code pipeline} switch: {@code on}/{@code off} (or true/false, 1/0); absent means
   * on when a face pipeline is configured.
   */
  static boolean pipeline(Context ctx, boolean available) {
    String v = optText(ctx, "pipeline");
    if (v == null) {
      return available;
    }
    boolean on;
    switch (v.toLowerCase(Locale.ROOT)) {
      case "on": case "true": case "1":
        on = true;
        break;
      case "off": case "false": case "0":
        on = false;
        break;
      default:
        throw new InvalidFieldException("pipeline", "pipeline must be on or off, got '" + v + "'");
    }
    if (on && !available) {
      throw new InvalidFieldException("pipeline", "pipeline=on needs a face detector; start the "
          + "server with --detector (and --landmarks) or --face x,y,w,h");
    }
    return on;
  }
}
