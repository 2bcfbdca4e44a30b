package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.onnx.proto.OnnxMl;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts an fp32 FRAN ONNX model (as {@link OnnxExporter} writes it, BatchNorm already folded)
 * to fp16: fp16 weights and activations, float32 graph input and output with a {@code Cast} at
 * each edge, so callers feed and read float32 exactly as before. On a GPU fp16 halves memory
 * traffic and lets cuDNN use tensor-core convolutions; on the CPU ONNX Runtime runs it too
 * (slowly, casting around the kernels it has no fp16 version of), which is what the tests use.
 *
 * <p>Layers whose values fp16 cannot hold stay float32, found the way {@link Int8Quantizer} finds
 * its ranges: with calibration inputs ({@link Builder#optCalibration}) the fp32 graph runs once per
 * input with every activation observed, and an activation whose magnitude comes within
 * {@value #RANGE_MARGIN}x of fp16's largest value (65504) keeps the layer producing it and the
 * layers reading it in float32; a layer whose weights exceed that range stays float32 without
 * calibration. With validation inputs and {@link Builder#optTargetPsnr} the same search as int8's
 * keeps further layers float32, output side first, until the fp16-vs-fp32 delta PSNR meets the
 * target. The layers kept float32 are listed in the metadata key
 * {@link OnnxModelFormat#FLOAT_ACTIVATIONS_KEY}; {@link OnnxModelFormat#PRECISION_KEY} is
 * {@value #FP16}.
 *
 * <pre>{@code
 * QuantizedModel fp16 = Fp16Converter.builder()
 *     .optCalibration(images)
 *     .build()
 *     .convert(OnnxExporter.toBytes(weights, config));
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class Fp16Converter {
  private static final Logger LOG = LoggerFactory.getLogger(Fp16Converter.class);

  /** The {@link OnnxModelFormat#PRECISION_KEY} value of the models this class writes. */
  public static final String FP16 = "fp16";

  /**
   * Headroom below fp16's largest value: calibration inputs are a sample, so an activation that
   * reached 1/16 of the range there may overflow on another input.
   */
  public static final int RANGE_MARGIN = 16;

  /** The largest finite fp16 value. */
  private static final float FP16_MAX = 65504f;

  private static final float LIMIT = FP16_MAX / RANGE_MARGIN;

  private final ImmutableList<Tensor> calibration;
  private final ImmutableList<Tensor> validation;
  private final OptionalDouble targetPsnr;
  private final ImmutableSet<String> floatLayers;

  private Fp16Converter(Builder b) {
    this.calibration = ImmutableList.copyOf(b.calibration);
    this.validation = ImmutableList.copyOf(b.validation);
    this.targetPsnr = b.targetPsnr;
    this.floatLayers = ImmutableSet.copyOf(b.floatLayers);
  }

  /**
   * Returns a converter without calibration: every layer fp16 except those whose weights fp16
   * cannot hold.
   *
   * @return the converter
   */
  public static Fp16Converter create() {
    return builder().build();
  }

  /**
   * Returns a builder.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Converts a model.
   *
   * @param fp32Model an fp32 model written by {@link OnnxExporter}
   * @return the fp16 model with the layers kept in float32 and, given validation inputs, its PSNR
   * @throws ModelFormatException if the bytes are not an ONNX model, not an fp32 one, or ONNX
   *     Runtime cannot run it for calibration or validation
   * @throws IllegalArgumentException if a requested float layer is not in the model (the message
   *     lists those that are)
   */
  public QuantizedModel convert(byte[] fp32Model) throws ModelFormatException {
    checkNotNull(fp32Model, "fp32Model");
    ModelRuns.checkInputs("calibration", calibration);
    ModelRuns.checkInputs("validation", validation);
    OnnxMl.ModelProto model;
    try {
      model = OnnxMl.ModelProto.parseFrom(fp32Model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException("not an ONNX model: " + e.getMessage(), e);
    }
    if (model.getGraph().getInputCount() == 0) {
      throw new ModelFormatException("not an fp32 FRAN model: the graph has no input");
    }
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      if (e.getKey().equals(OnnxModelFormat.PRECISION_KEY) && !e.getValue().equals("fp32")) {
        throw new ModelFormatException("the model's precision is '" + e.getValue()
            + "'; fp16 conversion needs the fp32 export");
      }
    }
    Fp16Graph graph = new Fp16Graph(model);
    Set<String> floats = new LinkedHashSet<>();
    for (String l : floatLayers) {
      checkArgument(graph.layers().contains(l), "no layer named '%s' in this model; the layers"
          + " are %s", l, graph.layers());
      floats.add(l);
    }
    floats.addAll(graph.layersWithWeightsBeyond(LIMIT));
    if (!calibration.isEmpty()) {
      long t0 = System.nanoTime();
      Map<String, float[]> ranges =
          ActivationRanges.observe(model, graph.layers(), calibration, 100);
      for (Map.Entry<String, float[]> e : ranges.entrySet()) {
        float[] r = e.getValue();
        if (Math.max(Math.abs(r[0]), Math.abs(r[1])) > LIMIT || !Float.isFinite(r[0] + r[1])) {
          floats.add(e.getKey());
          floats.addAll(graph.readers(e.getKey()));
        }
      }
      LOG.info("fp16: observed {} activation ranges on {} calibration inputs in {} s; float32: {}",
          ranges.size(), calibration.size(), ModelRuns.seconds(t0),
          floats.isEmpty() ? "none" : floats);
    }
    List<float[]> reference =
        validation.isEmpty() ? List.of() : ModelRuns.run(fp32Model, "fp32 model", validation);
    List<List<String>> candidates = new ArrayList<>();
    for (String l : graph.layers().reverse()) {
      if (!floats.contains(l)) {
        candidates.add(List.of(l));
      }
    }
    return ModelRuns.fallBackToFloat(FP16,
        f -> graph.write(f, metadata(calibration.size(), f)).toByteArray(),
        floats, candidates, validation, reference, targetPsnr, calibration.size());
  }

  private static Map<String, String> metadata(int calibrationInputs, Set<String> floats) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(OnnxModelFormat.PRECISION_KEY, FP16);
    if (calibrationInputs > 0) {
      meta.put(OnnxModelFormat.CALIBRATION_INPUTS_KEY, Integer.toString(calibrationInputs));
    }
    if (!floats.isEmpty()) {
      meta.put(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY, String.join(",", floats));
    }
    return meta;
  }

  /** Builds an {@link Fp16Converter}; not thread-safe. */
  public static final class Builder {
    private final List<Tensor> calibration = new ArrayList<>();
    private final List<Tensor> validation = new ArrayList<>();
    private OptionalDouble targetPsnr = OptionalDouble.empty();
    private final Set<String> floatLayers = new LinkedHashSet<>();

    private Builder() {}

    /**
     * Observes every activation's range on these inputs and keeps the layers fp16 cannot hold in
     * float32.
     *
     * @param inputs representative generator inputs, e.g. from {@link CalibrationImages#load}
     * @return this builder
     */
    public Builder optCalibration(List<Tensor> inputs) {
      checkNotNull(inputs, "inputs").forEach(t -> calibration.add(checkNotNull(t, "input")));
      return this;
    }

    /**
     * Measures the fp16-vs-fp32 PSNR on these inputs (which should not be calibration inputs).
     *
     * @param inputs held-out generator inputs, {@code [1, 5, H, W]} each
     * @return this builder
     */
    public Builder optValidation(List<Tensor> inputs) {
      checkNotNull(inputs, "inputs").forEach(t -> validation.add(checkNotNull(t, "input")));
      return this;
    }

    /**
     * Keeps layers in float32, output side first, until the validation PSNR (delta, peak 1,
     * pooled MSE) reaches {@code db}. Needs {@link #optValidation}.
     *
     * @param db the target in dB, e.g. 45
     * @return this builder
     */
    public Builder optTargetPsnr(double db) {
      checkArgument(db > 0 && Double.isFinite(db), "target PSNR must be positive, got %s", db);
      this.targetPsnr = OptionalDouble.of(db);
      return this;
    }

    /**
     * Keeps these layers in float32 from the start. Names are the layers' output tensor names,
     * e.g. {@code up4.conv.double_conv.3}.
     *
     * @param names layer names; unknown ones fail {@link #convert} with the list of names
     * @return this builder
     */
    public Builder optFloatLayers(Collection<String> names) {
      checkNotNull(names, "names").forEach(n -> floatLayers.add(checkNotNull(n, "name")));
      return this;
    }

    /**
     * Builds the converter.
     *
     * @return the converter
     * @throws IllegalStateException if a PSNR target was set without validation inputs
     */
    public Fp16Converter build() {
      checkState(targetPsnr.isEmpty() || !validation.isEmpty(),
          "a PSNR target needs validation inputs (optValidation)");
      return new Fp16Converter(this);
    }
  }
}
