package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the reduced-precision converters ({@link Int8Quantizer}, {@link Fp16Converter}) share to
 * validate a converted model against its fp32 original: input checks, CPU runs and the pooled
 * PSNR. A final utility class; thread-safe (no state).
 */
final class ModelRuns {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRuns.class);

  private ModelRuns() {}

  /** Generator inputs are [N, 5, H, W]; anything else would fail deep inside ONNX Runtime. */
  static void checkInputs(String what, List<Tensor> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      int[] s = checkNotNull(inputs.get(i), "%s input %s is null", what, i).shape();
      checkArgument(s.length == 4 && s[0] >= 1 && s[1] == GeneratorInput.CHANNELS
          && s[2] >= 1 && s[3] >= 1,
          "%s input %s has shape %s; expected [N, %s, H, W] (RGB, input age / %s, target age / %s)",
          what, i, Arrays.toString(s), GeneratorInput.CHANNELS,
          (int) GeneratorInput.AGE_SCALE, (int) GeneratorInput.AGE_SCALE);
    }
  }

  /**
   * Runs a model on each input through {@link OnnxGenerator} on the CPU at optimization level
   * {@code all}, as the runtime will (the QDQ fusion into QLinearConv happens only there).
   */
  static List<float[]> run(byte[] model, String source, List<Tensor> inputs)
      throws ModelFormatException {
    BackendOptions cpu = BackendOptions.builder().optDevice(Device.CPU).optOptimization("all")
        .build();
    List<float[]> out = new ArrayList<>();
    try (OnnxGenerator g = OnnxGenerator.open(model, source, cpu)) {
      for (Tensor in : inputs) {
        out.add(g.predict(in).toFloatArray());
      }
    } catch (ModelFormatException e) {
      throw e;
    } catch (java.io.IOException e) {
      // Only a CUDA request can fail otherwise, and this asks for the CPU.
      throw new ModelFormatException("cannot run the " + source + " for validation: "
          + e.getMessage(), e);
    }
    return out;
  }

  /** PSNR (peak 1) of the MSE pooled over every value of every output. */
  static double pooledPsnr(List<float[]> reference, List<float[]> test) {
    double se = 0;
    long n = 0;
    for (int k = 0; k < reference.size(); k++) {
      float[] a = reference.get(k);
      float[] b = test.get(k);
      for (int i = 0; i < a.length; i++) {
        double d = a[i] - b[i];
        se += d * d;
      }
      n += a.length;
    }
    return se == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(n / se);
  }

  /** Writes the converted model with the given activations (or layers) kept in float. */
  @FunctionalInterface
  interface FloatFallbackWriter {
    byte[] write(Set<String> floats) throws ModelFormatException;
  }

  /**
   * The PSNR target search both converters use: writes the model with {@code floats} kept in
   * float, measures it against the fp32 {@code reference} on the validation inputs, and while it
   * is below the target keeps the next candidate unit (output side first) in float too.
   *
   * @param precision the precision name, for logs and the result
   * @param writer writes the model for a set of float names
   * @param floats the names kept float from the start (grown in place)
   * @param candidates the units that may still go float, in the order to try them
   * @param validation held-out inputs (empty: no PSNR)
   * @param reference the fp32 outputs on {@code validation}
   * @param target the PSNR target, if any
   * @param calibrationInputs recorded in the result
   */
  static QuantizedModel fallBackToFloat(String precision, FloatFallbackWriter writer,
      Set<String> floats, List<? extends List<String>> candidates, List<Tensor> validation,
      List<float[]> reference, OptionalDouble target, int calibrationInputs)
      throws ModelFormatException {
    long t0 = System.nanoTime();
    List<List<String>> remaining = new ArrayList<>(candidates);
    while (true) {
      byte[] bytes = writer.write(floats);
      OptionalDouble psnr = reference.isEmpty() ? OptionalDouble.empty()
          : OptionalDouble.of(pooledPsnr(reference,
              run(bytes, precision + " model", validation)));
      boolean met = target.isEmpty() || psnr.getAsDouble() >= target.getAsDouble();
      if (psnr.isPresent()) {
        LOG.info("{}: {} dB vs fp32 on {} validation inputs with {} float ({} s)", precision,
            String.format(Locale.ROOT, "%.1f", psnr.getAsDouble()), validation.size(),
            floats.isEmpty() ? "nothing" : floats, seconds(t0));
      }
      if (met || remaining.isEmpty()) {
        return new QuantizedModel(precision, bytes, ImmutableList.copyOf(floats),
            calibrationInputs, psnr, target);
      }
      floats.addAll(remaining.remove(0));
    }
  }

  /** Seconds since {@code startNanos}, one decimal, for progress logs. */
  static String seconds(long startNanos) {
    return String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e9);
  }
}
