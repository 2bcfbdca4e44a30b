package io.github.fran4j.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where a trained model came from: the hyperparameters (JSON), the seed, a fingerprint of the
 * training dataset, the SDK version that trained it and the U-Net family. The trainer stores it in
 * {@code model.safetensors}' {@code __metadata__}, {@code fran export} copies it into the ONNX
 * model's {@code metadata_props}, and {@code fran inspect} shows it. The metadata keys are
 * {@link #KEYS}, each a plain string value so that any safetensors or ONNX tool can read them.
 *
 * <p>Immutable and thread-safe.
 */
public final class Provenance {
  /** Metadata key of the hyperparameters, a JSON object (the trainer's resume key). */
  public static final String HYPERPARAMETERS_KEY = "fran.provenance.hyperparameters";
  /** Metadata key of the training seed, a decimal integer. */
  public static final String SEED_KEY = "fran.provenance.seed";
  /** Metadata key of the dataset fingerprint ({@code sha256:} and 64 hex digits). */
  public static final String DATASET_KEY = "fran.provenance.dataset";
  /** Metadata key of the version of FRAN for Java that trained the model. */
  public static final String SDK_VERSION_KEY = "fran.provenance.sdk_version";
  /** Metadata key of the U-Net family, {@link UNetFamily#id()}. */
  public static final String FAMILY_KEY = "fran.provenance.family";
  /** Every provenance key, in the order they are written. */
  public static final ImmutableList<String> KEYS = ImmutableList.of(
      HYPERPARAMETERS_KEY, SEED_KEY, DATASET_KEY, SDK_VERSION_KEY, FAMILY_KEY);

  private static final String SHA256_PREFIX = "sha256:";

  private final String hyperparameters;
  private final long seed;
  private final String datasetFingerprint;
  private final String sdkVersion;
  private final UNetFamily family;

  private Provenance(Builder b) {
    this.hyperparameters = b.hyperparameters;
    this.seed = b.seed;
    this.datasetFingerprint = b.datasetFingerprint;
    this.sdkVersion = b.sdkVersion;
    this.family = b.family;
  }

  /** {@return a builder; every setting except the SDK version is required} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the hyperparameters, a JSON object} */
  public String hyperparameters() {
    return hyperparameters;
  }

  /** {@return the training seed} */
  public long seed() {
    return seed;
  }

  /** {@return the dataset fingerprint, {@code sha256:} and 64 hex digits} */
  public String datasetFingerprint() {
    return datasetFingerprint;
  }

  /** {@return the version of FRAN for Java that trained the model} */
  public String sdkVersion() {
    return sdkVersion;
  }

  /** {@return the U-Net family} */
  public UNetFamily family() {
    return family;
  }

  /** {@return the metadata entries, keyed by {@link #KEYS} in that order} */
  public ImmutableMap<String, String> toMetadata() {
    return ImmutableMap.of(
        HYPERPARAMETERS_KEY, hyperparameters,
        SEED_KEY, Long.toString(seed),
        DATASET_KEY, datasetFingerprint,
        SDK_VERSION_KEY, sdkVersion,
        FAMILY_KEY, family.id());
  }

  /**
   * Returns the weights with this provenance added to their metadata (replacing any earlier one).
   *
   * @param weights the weights
   * @return a copy carrying the provenance
   */
  public StateDict addTo(StateDict weights) {
    checkNotNull(weights, "weights");
    StateDict.Builder b = weights.toBuilder();
    toMetadata().forEach(b::putMetadata);
    return b.build();
  }

  /**
   * Reads the provenance from a model file's metadata.
   *
   * @param metadata the safetensors {@code __metadata__} or the ONNX {@code metadata_props}
   * @param source the file, for messages
   * @return the provenance, or empty when the metadata holds none of {@link #KEYS} (a foreign
   *     model, or one trained before provenance was recorded)
   * @throws ModelFormatException if only some of the keys are present or a value is malformed,
   *     naming the file and the key
   */
  public static Optional<Provenance> fromMetadata(Map<String, String> metadata, String source) {
    checkNotNull(metadata, "metadata");
    checkNotNull(source, "source");
    List<String> missing = new ArrayList<>();
    for (String k : KEYS) {
      if (!metadata.containsKey(k)) {
        missing.add(k);
      }
    }
    if (missing.size() == KEYS.size()) {
      return Optional.empty();
    }
    if (!missing.isEmpty()) {
      throw new ModelFormatException(source + ": incomplete provenance metadata, missing "
          + missing + " (expected all of " + KEYS + ")");
    }
    try {
      return Optional.of(builder()
          .setHyperparameters(metadata.get(HYPERPARAMETERS_KEY))
          .setSeed(Long.parseLong(metadata.get(SEED_KEY).trim()))
          .setDatasetFingerprint(metadata.get(DATASET_KEY))
          .optSdkVersion(metadata.get(SDK_VERSION_KEY))
          .setFamily(UNetFamily.fromId(metadata.get(FAMILY_KEY)))
          .build());
    } catch (IllegalArgumentException e) {
      // NumberFormatException is an IllegalArgumentException too.
      throw new ModelFormatException(source + ": invalid provenance metadata: " + e.getMessage(),
          e);
    }
  }

  /**
   * Fingerprints a dataset folder: SHA-256 over each regular file's path relative to the root
   * ({@code /}-separated, sorted) and size in bytes, one {@code path TAB size LF} line each. File
   * contents are not read, so it is cheap on large datasets; renaming, adding, removing or
   * resizing a file changes it.
   *
   * @param root the dataset folder
   * @return {@code sha256:} and 64 lowercase hex digits
   * @throws IOException if the folder cannot be listed
   */
  public static String datasetFingerprint(Path root) throws IOException {
    checkNotNull(root, "root");
    if (!Files.isDirectory(root)) {
      throw new java.io.FileNotFoundException("no dataset folder at " + root.toAbsolutePath());
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String rel = root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
        lines.add(rel + "\t" + Files.size(f) + "\n");
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    lines.sort(null);
    MessageDigest sha = sha256();
    for (String line : lines) {
      sha.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return SHA256_PREFIX + HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Returns the version of this FRAN for Java build, e.g. {@code 0.1.0}.
   *
   * @return the version Maven stamped into fran-core
   */
  public static String currentSdkVersion() {
    try (InputStream in = Provenance.class.getResourceAsStream(
        "/io/github/fran4j/core/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "");
      // An unfiltered copy (an IDE build) still says '${project.version}': not a version.
      return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Provenance p && p.seed == seed && p.hyperparameters.equals(hyperparameters)
        && p.datasetFingerprint.equals(datasetFingerprint) && p.sdkVersion.equals(sdkVersion)
        && p.family == family;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hyperparameters, seed, datasetFingerprint, sdkVersion, family);
  }

  @Override
  public String toString() {
    return "Provenance" + toMetadata();
  }

  /** Builds a {@link Provenance}. Not thread-safe. */
  public static final class Builder {
    private String hyperparameters;
    private Long seed;
    private String datasetFingerprint;
    private String sdkVersion = currentSdkVersion();
    private UNetFamily family;

    private Builder() {}

    /**
     * Sets the hyperparameters.
     *
     * @param json a JSON object
     * @return this builder
     * @throws IllegalArgumentException if it is not a JSON object
     */
    public Builder setHyperparameters(String json) {
      checkNotNull(json, "json");
      try {
        checkArgument(JsonParser.parseString(json) instanceof JsonObject,
            "hyperparameters must be a JSON object, got: %s", json);
      } catch (JsonParseException e) {
        throw new IllegalArgumentException("hyperparameters are not JSON: " + e.getMessage(), e);
      }
      this.hyperparameters = json;
      return this;
    }

    /**
     * Sets the training seed.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder setSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the dataset fingerprint, as {@link #datasetFingerprint(Path)} computes it.
     *
     * @param fingerprint {@code sha256:} and 64 hex digits
     * @return this builder
     * @throws IllegalArgumentException if it has another form
     */
    public Builder setDatasetFingerprint(String fingerprint) {
      checkNotNull(fingerprint, "fingerprint");
      checkArgument(fingerprint.matches("sha256:[0-9a-f]{64}"),
          "dataset fingerprint must be 'sha256:' and 64 lowercase hex digits, got '%s'",
          fingerprint);
      this.datasetFingerprint = fingerprint;
      return this;
    }

    /**
     * Sets the SDK version; defaults to {@link #currentSdkVersion()}.
     *
     * @param version the version
     * @return this builder
     */
    public Builder optSdkVersion(String version) {
      checkNotNull(version, "version");
      checkArgument(!version.isBlank(), "the SDK version is blank");
      this.sdkVersion = version;
      return this;
    }

    /**
     * Sets the U-Net family.
     *
     * @param family the family
     * @return this builder
     */
    public Builder setFamily(UNetFamily family) {
      this.family = checkNotNull(family, "family");
      return this;
    }

    /**
     * Builds the provenance.
     *
     * @return the provenance
     * @throws IllegalStateException if a required setting is missing
     */
    public Provenance build() {
      String missing = ((hyperparameters == null ? "hyperparameters " : "")
          + (seed == null ? "seed " : "") + (datasetFingerprint == null ? "dataset " : "")
          + (family == null ? "family" : "")).trim();
      if (!missing.isEmpty()) {
        throw new IllegalStateException("provenance needs hyperparameters, seed, dataset"
            + " fingerprint and family; missing: " + missing);
      }
      return new Provenance(this);
    }
  }
}
