package io.github.fran4j.examples.serve;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * Settings of a {@link ReageServer}: where it listens and the limits that protect it. Immutable
 * and thread-safe; build with {@link #builder()}, where every setting is optional.
 */
public final class ServeConfig {
  private final String host;
  private final int port;
  private final int maxConcurrent;
  private final int maxQueue;
  private final long maxUploadBytes;
  private final long maxPixels;
  private final int maxSweepAges;
  private final Duration stopTimeout;

  private ServeConfig(Builder b) {
    host = b.host;
    port = b.port;
    maxConcurrent = b.maxConcurrent;
    maxQueue = b.maxQueue;
    maxUploadBytes = b.maxUploadBytes;
    maxPixels = b.maxPixels;
    maxSweepAges = b.maxSweepAges;
    stopTimeout = b.stopTimeout;
  }

  /** Returns a builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the interface address to listen on (default {@code 127.0.0.1}). */
  public String host() {
    return host;
  }

  /** Returns the port (default 8080; 0 picks a free port). */
  public int port() {
    return port;
  }

  /** Returns how many requests run the model at once (default 2). */
  public int maxConcurrent() {
    return maxConcurrent;
  }

  /** Returns how many requests may wait for a slot before new ones get 429 (default 16). */
  public int maxQueue() {
    return maxQueue;
  }

  /** Returns the largest request body accepted, in bytes (default 20 MiB). */
  public long maxUploadBytes() {
    return maxUploadBytes;
  }

  /** Returns the largest image accepted, width times height (default 16 megapixels). */
  public long maxPixels() {
    return maxPixels;
  }

  /** Returns the most target ages one sweep may ask for (default 16). */
  public int maxSweepAges() {
    return maxSweepAges;
  }

  /** Returns how long a shutdown waits for requests in flight (default 30 s). */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  /** Builds a {@link ServeConfig}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8080;
    private int maxConcurrent = 2;
    private int maxQueue = 16;
    private long maxUploadBytes = 20L << 20;
    private long maxPixels = 16_000_000L;
    private int maxSweepAges = 16;
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * Sets the interface address, e.g. {@code 0.0.0.0} for all interfaces.
     *
     * @param v a host name or address
     * @return this builder
     */
    public Builder optHost(String v) {
      host = checkNotNull(v, "host");
      return this;
    }

    /**
     * Sets the port.
     *
     * @param v 0 (any free port) to 65535
     * @return this builder
     */
    public Builder optPort(int v) {
      checkArgument(v >= 0 && v <= 65535, "port must be in [0, 65535], got %s", v);
      port = v;
      return this;
    }

    /**
     * Sets how many requests run the model at once.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxConcurrent(int v) {
      checkArgument(v >= 1, "max concurrent requests must be >= 1, got %s", v);
      maxConcurrent = v;
      return this;
    }

    /**
     * Sets how many requests may wait for a slot.
     *
     * @param v 0 (no queue) or more
     * @return this builder
     */
    public Builder optMaxQueue(int v) {
      checkArgument(v >= 0, "queue length must be >= 0, got %s", v);
      maxQueue = v;
      return this;
    }

    /**
     * Sets the largest request body accepted.
     *
     * @param bytes a positive byte count
     * @return this builder
     */
    public Builder optMaxUploadBytes(long bytes) {
      checkArgument(bytes > 0, "upload limit must be > 0 bytes, got %s", bytes);
      maxUploadBytes = bytes;
      return this;
    }

    /**
     * Sets the largest image accepted (checked from the image header, before decoding).
     *
     * @param v a positive pixel count
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      checkArgument(v > 0, "pixel limit must be > 0, got %s", v);
      maxPixels = v;
      return this;
    }

    /**
     * Sets the most target ages one sweep may ask for.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxSweepAges(int v) {
      checkArgument(v >= 1, "max sweep ages must be >= 1, got %s", v);
      maxSweepAges = v;
      return this;
    }

    /**
     * Sets how long a shutdown waits for requests in flight.
     *
     * @param v a non-negative duration
     * @return this builder
     */
    public Builder optStopTimeout(Duration v) {
      checkArgument(v != null && !v.isNegative(), "stop timeout must be >= 0, got %s", v);
      stopTimeout = v;
      return this;
    }

    /** Returns the settings. */
    public ServeConfig build() {
      return new ServeConfig(this);
    }
  }
}
