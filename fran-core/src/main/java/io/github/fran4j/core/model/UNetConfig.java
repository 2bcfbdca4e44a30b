package io.github.fran4j.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.Objects;

/**
 * The generator's architecture: one immutable value read by the trainer, the exporter and every
 * runtime backend. Stored as JSON in model files ({@link #toJson()}, key {@link #METADATA_KEY}).
 *
 * <p>Defaults are the reference's: 5 input channels (RGB + input age + target age), 3 output
 * channels (an RGB delta), base width 64, depth 4, transposed up-sampling, no blur-pool, trained at
 * 256x256. Use {@link #builder()} and the {@code opt*} setters to change them.
 *
 * <p>The {@link #family()} names the module structure and parameter names (the reference's, or
 * the community's open re-implementation); {@link #weightLayout()} returns that family's names.
 * Thread-safe.
 */
public final class UNetConfig {
  /** The metadata key under which model files store {@link #toJson()}. */
  public static final String METADATA_KEY = "fran.unet_config";
  /** The version of the JSON form written by {@link #toJson()}. */
  public static final int JSON_VERSION = 1;
  /**
   * The resolution the community family is trained and run at (its released model: 512x512),
   * assumed for its state dicts, which carry no metadata.
   */
  public static final int COMMUNITY_RESOLUTION = 512;

  private final UNetFamily family;
  private final int inChannels;
  private final int outChannels;
  private final int baseWidth;
  private final int depth;
  private final Upsampling upsampling;
  private final boolean blurPool;
  private final int trainingResolution;

  private UNetConfig(Builder b) {
    this.family = b.family;
    this.inChannels = b.inChannels;
    this.outChannels = b.outChannels;
    this.baseWidth = b.baseWidth;
    this.depth = b.depth;
    this.upsampling = b.upsampling;
    this.blurPool = b.blurPool;
    this.trainingResolution = b.trainingResolution;
  }

  /** {@return the reference configuration (width 64, depth 4, transposed, 256x256)} */
  public static UNetConfig reference() {
    return builder().build();
  }

  /** {@return a builder with the reference defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder pre-filled with this configuration} */
  public Builder toBuilder() {
    return builder()
        .optFamily(family)
        .optInChannels(inChannels)
        .optOutChannels(outChannels)
        .optBaseWidth(baseWidth)
        .optDepth(depth)
        .optUpsampling(upsampling)
        .optBlurPool(blurPool)
        .optTrainingResolution(trainingResolution);
  }

  /** {@return the family: the module structure and parameter names} */
  public UNetFamily family() {
    return family;
  }

  /** {@return the number of input channels (5: RGB, input age, target age)} */
  public int inChannels() {
    return inChannels;
  }

  /** {@return the number of output channels (3: the RGB delta)} */
  public int outChannels() {
    return outChannels;
  }

  /** {@return the width of the first encoder level (64 in the reference)} */
  public int baseWidth() {
    return baseWidth;
  }

  /** {@return the number of down-sampling steps (4 in the reference)} */
  public int depth() {
    return depth;
  }

  /** {@return the decoder's up-sampling method} */
  public Upsampling upsampling() {
    return upsampling;
  }

  /**
   * {@return whether down- and up-sampling are anti-aliased (blur-pool, Zhang 2019, as the FRAN
   * paper does)} The blur is a fixed depthwise 3x3 kernel [1 2 1]^T [1 2 1] / 16 with reflect
   * padding 1. Down-sampling becomes MaxPool(kernel 2, stride 1) then blur with stride 2 (so an
   * even size H becomes H / 2, as without blur-pool); each decoder step blurs (stride 1) right after
   * its up-sampling, before padding and concatenation. The blur has no parameters, so it changes no
   * weight names or shapes.
   */
  public boolean blurPool() {
    return blurPool;
  }

  /** {@return the square image size the model was trained at} */
  public int trainingResolution() {
    return trainingResolution;
  }

  /**
   * Returns the multiple that input heights and widths must be, 2^depth: the network halves the
   * resolution {@code depth} times and concatenates with skips of the same size. Callers pad
   * other sizes up to it (the community family cannot run them at all; the reference family's
   * zero-padded up-sampling would run them but differently from a padded image).
   *
   * @return the size multiple, 2^depth
   */
  public int sizeMultiple() {
    return 1 << depth;
  }

  /**
   * {@return the smallest height and width the network accepts: every level must keep at least one
   * pixel after pooling (2^depth), and with blur-pool the max-pooled map must be at least 2 pixels
   * for the reflect padding, which 2^depth + 2^(depth-1) guarantees}
   */
  public int minimumSize() {
    if (family == UNetFamily.COMMUNITY) {
      // Each BlurPool reflection-pads by 2, which needs at least 3 pixels: the deepest max-pooled
      // map (2^(depth+1) / 2^(depth-1) - 1 = 3) and the first up-sampled one (2 * 2 = 4) have them.
      return 1 << (depth + 1);
    }
    return blurPool ? (1 << depth) + (1 << (depth - 1)) : 1 << depth;
  }

  /**
   * Returns the channel width of encoder level {@code level} (0 = {@code inc}, depth = bottleneck).
   * With bilinear up-sampling the bottleneck keeps the width of the level above it.
   *
   * @param level 0..depth
   * @return the number of channels that level outputs
   */
  public int encoderWidth(int level) {
    checkArgument(level >= 0 && level <= depth, "level %s outside 0..%s", level, depth);
    int w = baseWidth << level;
    return (level == depth && upsampling == Upsampling.BILINEAR) ? w / 2 : w;
  }

  /**
   * Returns the reference family's layout of parameter names and shapes for this configuration.
   *
   * @throws IllegalStateException if this is not a {@link UNetFamily#REFERENCE} configuration (use
   *     {@link #weightLayout()} for code that handles every family)
   * @return the reference layout
   */
  public UNetLayout layout() {
    if (family != UNetFamily.REFERENCE) {
      throw new IllegalStateException("layout() is the reference family's; this is a "
          + family.id() + " U-Net: use weightLayout() or communityLayout()");
    }
    return new UNetLayout(this);
  }

  /**
   * Returns the community family's layout of parameter names and shapes.
   *
   * @throws IllegalStateException if this is not a {@link UNetFamily#COMMUNITY} configuration
   * @return the community layout
   */
  public CommunityUNetLayout communityLayout() {
    if (family != UNetFamily.COMMUNITY) {
      throw new IllegalStateException(
          "communityLayout() needs a community U-Net; this is a " + family.id() + " one");
    }
    return new CommunityUNetLayout(this);
  }

  /** {@return this family's layout of parameter names and shapes} */
  public WeightLayout weightLayout() {
    return family == UNetFamily.COMMUNITY ? new CommunityUNetLayout(this) : new UNetLayout(this);
  }

  /**
   * Returns this configuration as a compact JSON object, with a {@code version} field.
   *
   * @return e.g. {@code {"version":1,"in_channels":5,...}}
   */
  public String toJson() {
    return toJsonObject().toString();
  }

  private JsonObject toJsonObject() {
    JsonObject o = new JsonObject();
    o.addProperty("version", JSON_VERSION);
    if (family != UNetFamily.REFERENCE) {
      // Omitted for the reference so that configurations written before families existed and
      // after are byte-identical; absent means reference.
      o.addProperty("family", family.id());
    }
    o.addProperty("in_channels", inChannels);
    o.addProperty("out_channels", outChannels);
    o.addProperty("base_width", baseWidth);
    o.addProperty("depth", depth);
    o.addProperty("upsampling", upsampling.name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("blur_pool", blurPool);
    o.addProperty("training_resolution", trainingResolution);
    return o;
  }

  /**
   * Parses the JSON form written by {@link #toJson()}. Missing fields take the reference defaults.
   *
   * @param json the JSON text
   * @return the configuration
   * @throws ModelFormatException if the text is not valid JSON, has an unknown version, or holds
   *     invalid values
   */
  public static UNetConfig fromJson(String json) throws ModelFormatException {
    return fromJson(json, "");
  }

  /**
   * Parses the JSON form written by {@link #toJson()} read from a model file, naming the file in
   * errors. Missing fields take the reference defaults; a present field must have its JSON type
   * (integers for counts, a boolean for {@code blur_pool}, strings for names) and a possible value.
   *
   * @param json the JSON text
   * @param source the file it comes from, for messages ({@code ""} for none)
   * @return the configuration
   * @throws ModelFormatException naming the file, {@value #METADATA_KEY}, the field and what was
   *     expected: for malformed JSON, an unknown version, a field of the wrong type, or an
   *     impossible value
   */
  public static UNetConfig fromJson(String json, String source) throws ModelFormatException {
    checkNotNull(json, "json");
    checkNotNull(source, "source");
    String where = (source.isEmpty() ? "" : source + ": ") + METADATA_KEY;
    JsonObject o;
    try {
      com.google.gson.JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new ModelFormatException(where + " must be a JSON object, found " + brief(json));
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new ModelFormatException(where + " is not valid JSON (" + e.getMessage() + "): "
          + brief(json), e);
    }
    Builder b = builder();
    Json f = new Json(o, where);
    if (o.has("version")) {
      int version = f.integer("version");
      if (version != JSON_VERSION) {
        throw new ModelFormatException(where + " has version " + version + ", expected "
            + JSON_VERSION + " (was the file written by a newer FRAN for Java?)");
      }
    }
    if (o.has("family")) {
      String id = f.string("family");
      f.apply("family", () -> b.optFamily(UNetFamily.fromId(id)));
    }
    if (o.has("in_channels")) {
      int v = f.integer("in_channels");
      f.apply("in_channels", () -> b.optInChannels(v));
    }
    if (o.has("out_channels")) {
      int v = f.integer("out_channels");
      f.apply("out_channels", () -> b.optOutChannels(v));
    }
    if (o.has("base_width")) {
      int v = f.integer("base_width");
      f.apply("base_width", () -> b.optBaseWidth(v));
    }
    if (o.has("depth")) {
      int v = f.integer("depth");
      f.apply("depth", () -> b.optDepth(v));
    }
    if (o.has("upsampling")) {
      String u = f.string("upsampling");
      Upsampling up = null;
      for (Upsampling c : Upsampling.values()) {
        if (c.name().equalsIgnoreCase(u)) {
          up = c;
        }
      }
      if (up == null) {
        throw new ModelFormatException(where + " field 'upsampling' is '" + u + "', expected "
            + "'transposed' or 'bilinear'");
      }
      b.optUpsampling(up);
    }
    if (o.has("blur_pool")) {
      b.optBlurPool(f.bool("blur_pool"));
    }
    if (o.has("training_resolution")) {
      int v = f.integer("training_resolution");
      f.apply("training_resolution", () -> b.optTrainingResolution(v));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(where + " describes an impossible U-Net: " + e.getMessage()
          + " (" + brief(json) + ")", e);
    }
  }

  /** The JSON text for a message: whole when short, else its start. */
  private static String brief(String json) {
    return json.length() <= 300 ? json : json.substring(0, 300) + "... (" + json.length() + " chars)";
  }

  /** Typed, strict access to the fields of a configuration object, for messages that name them. */
  private static final class Json {
    private final JsonObject o;
    private final String where;

    Json(JsonObject o, String where) {
      this.o = o;
      this.where = where;
    }

    int integer(String field) throws ModelFormatException {
      com.google.gson.JsonElement e = o.get(field);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        try {
          return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException notAnInt) {
          // 4.5, 1e12 or NaN: reported below with the other types
        }
      }
      throw new ModelFormatException(where + " field '" + field + "' must be an integer, found "
          + e);
    }

    String string(String field) throws ModelFormatException {
      com.google.gson.JsonElement e = o.get(field);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        return e.getAsString();
      }
      throw new ModelFormatException(where + " field '" + field + "' must be a string, found " + e);
    }

    boolean bool(String field) throws ModelFormatException {
      com.google.gson.JsonElement e = o.get(field);
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
        return e.getAsBoolean();
      }
      throw new ModelFormatException(where + " field '" + field + "' must be true or false, found "
          + e);
    }

    /** Runs a builder setter, turning its range error into one naming the field. */
    void apply(String field, Runnable setter) throws ModelFormatException {
      try {
        setter.run();
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(where + " field '" + field + "' is invalid: "
            + e.getMessage(), e);
      }
    }
  }

  /**
   * Derives the configuration from a state dict: the JSON under {@link #METADATA_KEY} when present
   * (checked against the tensors), otherwise the family (from the names: {@code inc.*} for the
   * reference, {@code init_conv.*} for the community's), channel counts, width, depth and
   * up-sampling inferred from the tensor names and shapes. Blur-pool has no parameters and so cannot be
   * inferred; without metadata it is off. The training resolution is likewise taken from metadata
   * or left at 256.
   *
   * @param weights the weights
   * @return the configuration
   * @throws ModelFormatException if the tensors are not a FRAN U-Net, with every missing,
   *     misshaped or unexpected tensor listed
   */
  public static UNetConfig fromStateDict(StateDict weights) throws ModelFormatException {
    return fromStateDict(weights, "");
  }

  /**
   * Derives the configuration from the state dict of a model file, as
   * {@link #fromStateDict(StateDict)}, naming the file in errors. When the weights do not match a
   * {@value #METADATA_KEY} that lacks fields, the message names the fields that took defaults.
   *
   * @param weights the weights
   * @param source the file they come from, for messages ({@code ""} for none)
   * @return the configuration
   * @throws ModelFormatException naming the file and what is wrong
   */
  public static UNetConfig fromStateDict(StateDict weights, String source)
      throws ModelFormatException {
    checkNotNull(weights, "weights");
    checkNotNull(source, "source");
    String json = weights.metadata().get(METADATA_KEY);
    UNetConfig config;
    try {
      config = json != null ? fromJson(json, source) : infer(weights);
    } catch (ModelFormatException e) {
      if (json != null || source.isEmpty()) {
        throw e;
      }
      throw new ModelFormatException(source + ": " + e.getMessage(), e);
    }
    try {
      config.weightLayout().check(weights);
    } catch (ModelFormatException e) {
      String defaulted = json == null ? "" : defaultedFields(json);
      throw new ModelFormatException((source.isEmpty() ? "" : source + ": ")
          + (defaulted.isEmpty() ? "" : METADATA_KEY + " lacks " + defaulted + ", so the "
              + "reference defaults were taken, and ") + e.getMessage(), e);
    }
    return config;
  }

  /** Returns the fields {@link #toJson()} writes that a JSON object lacks, e.g. {@code base_width}. */
  private static String defaultedFields(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    java.util.List<String> missing = new java.util.ArrayList<>();
    for (String k : reference().toJsonObject().keySet()) {
      if (!o.has(k) && !k.equals("version")) {
        missing.add(k + " (" + reference().toJsonObject().get(k) + ")");
      }
    }
    return String.join(", ", missing);
  }

  private static UNetConfig infer(StateDict w) throws ModelFormatException {
    if (w.contains("init_conv.0.weight") && !w.contains("inc.double_conv.0.weight")) {
      return inferCommunity(w);
    }
    Tensor first = w.find("inc.double_conv.0.weight").orElse(null);
    Tensor out = w.find("outc.conv.weight").orElse(null);
    if (first == null || out == null || first.rank() != 4 || out.rank() != 4) {
      throw new ModelFormatException(
          "not a FRAN U-Net state dict: expected 4-d tensors 'inc.double_conv.0.weight' and "
              + "'outc.conv.weight' (reference family) or 'init_conv.0.weight' and "
              + "'final_conv.weight' (community family), found " + w.size() + " tensors"
              + (w.size() > 0 ? " starting with " + w.names().stream().limit(5).toList() : ""));
    }
    int depth = 0;
    while (w.contains("down" + (depth + 1) + ".maxpool_conv.1.double_conv.0.weight")) {
      depth++;
    }
    if (depth == 0) {
      throw new ModelFormatException(
          "not a FRAN U-Net state dict: no 'down1.maxpool_conv.1.double_conv.0.weight'");
    }
    Upsampling up = w.contains("up1.up.weight") ? Upsampling.TRANSPOSED : Upsampling.BILINEAR;
    try {
      return builder()
          .optInChannels(first.dim(1))
          .optBaseWidth(first.dim(0))
          .optOutChannels(out.dim(0))
          .optDepth(depth)
          .optUpsampling(up)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("state dict implies an invalid U-Net: " + e.getMessage(), e);
    }
  }

  private static UNetConfig inferCommunity(StateDict w) throws ModelFormatException {
    Tensor first = w.find("init_conv.0.weight").orElse(null);
    Tensor out = w.find("final_conv.weight").orElse(null);
    if (first == null || out == null || first.rank() != 4 || out.rank() != 4) {
      throw new ModelFormatException("not a community FRAN U-Net state dict: expected 4-d tensors "
          + "'init_conv.0.weight' and 'final_conv.weight'"
          + (out == null ? ", 'final_conv.weight' is missing" : ""));
    }
    int depth = 0;
    while (w.contains("down" + (depth + 1) + ".layer.2.weight")) {
      depth++;
    }
    if (depth == 0) {
      throw new ModelFormatException(
          "not a community FRAN U-Net state dict: no 'down1.layer.2.weight'");
    }
    try {
      return builder()
          .optFamily(UNetFamily.COMMUNITY)
          .optInChannels(first.dim(1))
          .optBaseWidth(first.dim(0))
          .optOutChannels(out.dim(0))
          .optDepth(depth)
          .optTrainingResolution(COMMUNITY_RESOLUTION)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException("state dict implies an invalid U-Net: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof UNetConfig)) {
      return false;
    }
    UNetConfig c = (UNetConfig) o;
    return family == c.family
        && inChannels == c.inChannels
        && outChannels == c.outChannels
        && baseWidth == c.baseWidth
        && depth == c.depth
        && upsampling == c.upsampling
        && blurPool == c.blurPool
        && trainingResolution == c.trainingResolution;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        family,
        inChannels, outChannels, baseWidth, depth, upsampling, blurPool, trainingResolution);
  }

  /** Returns the JSON form. */
  @Override
  public String toString() {
    return "UNetConfig" + toJson();
  }

  /** Builds a {@link UNetConfig}; every setting is optional. Not thread-safe. */
  public static final class Builder {
    private UNetFamily family = UNetFamily.REFERENCE;
    private int inChannels = 5;
    private int outChannels = 3;
    private int baseWidth = 64;
    private int depth = 4;
    private Upsampling upsampling = Upsampling.TRANSPOSED;
    private boolean blurPool;
    private int trainingResolution = 256;

    private Builder() {}

    /**
     * Sets the family (default {@link UNetFamily#REFERENCE}). The community family has transposed
     * up-sampling and its own BlurPool built in, so it takes neither bilinear up-sampling nor
     * {@link #optBlurPool}.
     *
     * @param v the family
     * @return this builder
     */
    public Builder optFamily(UNetFamily v) {
      family = checkNotNull(v, "family");
      return this;
    }

    /**
     * Sets the input channel count (default 5).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optInChannels(int v) {
      checkArgument(v >= 1, "inChannels must be >= 1, got %s", v);
      inChannels = v;
      return this;
    }

    /**
     * Sets the output channel count (default 3).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optOutChannels(int v) {
      checkArgument(v >= 1, "outChannels must be >= 1, got %s", v);
      outChannels = v;
      return this;
    }

    /**
     * Sets the base width (default 64). Must be even so that the bilinear variant can halve it.
     *
     * @param v an even number from 2 to 1024
     * @return this builder
     */
    public Builder optBaseWidth(int v) {
      checkArgument(v >= 2 && v <= 1024 && v % 2 == 0, "baseWidth must be even in 2..1024, got %s", v);
      baseWidth = v;
      return this;
    }

    /**
     * Sets the number of down-sampling steps (default 4).
     *
     * @param v 1..6
     * @return this builder
     */
    public Builder optDepth(int v) {
      checkArgument(v >= 1 && v <= 6, "depth must be in 1..6, got %s", v);
      depth = v;
      return this;
    }

    /**
     * Sets the up-sampling method (default transposed).
     *
     * @param v the method
     * @return this builder
     */
    public Builder optUpsampling(Upsampling v) {
      upsampling = checkNotNull(v, "upsampling");
      return this;
    }

    /**
     * Turns blur-pool anti-aliasing on or off (default off).
     *
     * @param v whether to blur
     * @return this builder
     */
    public Builder optBlurPool(boolean v) {
      blurPool = v;
      return this;
    }

    /**
     * Sets the training resolution (default 256).
     *
     * @param v a positive multiple of 2^depth
     * @return this builder
     */
    public Builder optTrainingResolution(int v) {
      checkArgument(v >= 1, "trainingResolution must be positive, got %s", v);
      trainingResolution = v;
      return this;
    }

    /**
     * {@return the configuration}
     *
     * @throws IllegalArgumentException if the training resolution is not a multiple of 2^depth,
     *     or a community configuration asks for bilinear up-sampling or blur-pool
     */
    public UNetConfig build() {
      checkArgument(
          family == UNetFamily.REFERENCE || (upsampling == Upsampling.TRANSPOSED && !blurPool),
          "the %s family has its own transposed up-sampling and BlurPool; upsampling must be "
              + "transposed and blurPool off, got %s and %s",
          family.id(),
          upsampling.name().toLowerCase(java.util.Locale.ROOT),
          blurPool);
      checkArgument(
          trainingResolution % (1 << depth) == 0,
          "trainingResolution %s must be a multiple of 2^depth = %s",
          trainingResolution,
          1 << depth);
      return new UNetConfig(this);
    }
  }
}
