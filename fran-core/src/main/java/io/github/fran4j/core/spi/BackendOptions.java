package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * Options handed to a {@link BackendProvider} when it opens a model. Immutable; build with
 * {@link #builder()}. Backends ignore settings that do not apply to them.
 */
public final class BackendOptions {
  private final Device device;
  private final int threads;
  private final String optimization;

  private BackendOptions(Builder b) {
    this.device = b.device;
    this.threads = b.threads;
    this.optimization = b.optimization;
  }

  /** {@return the defaults: {@link Device#AUTO}, backend-chosen threads and optimization} */
  public static BackendOptions defaults() {
    return builder().build();
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.device = device;
    b.threads = threads;
    b.optimization = optimization;
    return b;
  }

  /** {@return the requested device} */
  public Device device() {
    return device;
  }

  /** {@return the requested number of intra-op threads, 0 for the backend's default} */
  public int threads() {
    return threads;
  }

  /** {@return the requested graph optimization level (backend-specific, e.g. {@code all})} */
  public Optional<String> optimization() {
    return Optional.ofNullable(optimization);
  }

  /** Returns a readable summary. */
  @Override
  public String toString() {
    return "BackendOptions{device=" + device + ", threads=" + threads + ", optimization="
        + optimization + "}";
  }

  /** Builds {@link BackendOptions}; not thread-safe. */
  public static final class Builder {
    private Device device = Device.AUTO;
    private int threads;
    private String optimization;

    private Builder() {}

    /**
     * Sets the device (default {@link Device#AUTO}).
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      device = checkNotNull(v, "device");
      return this;
    }

    /**
     * Sets the intra-op thread count (default 0: the backend's choice).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optThreads(int v) {
      checkArgument(v >= 0, "threads must be >= 0, got %s", v);
      threads = v;
      return this;
    }

    /**
     * Sets the graph optimization level, e.g. {@code basic}, {@code extended} or {@code all}.
     *
     * @param v the level name
     * @return this builder
     */
    public Builder optOptimization(String v) {
      optimization = checkNotNull(v, "optimization");
      return this;
    }

    /** {@return the options} */
    public BackendOptions build() {
      return new BackendOptions(this);
    }
  }
}
