package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSortedMap;
import io.github.fran4j.core.image.AgeMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Target ages keyed by frame index, linearly interpolated between keyframes and held constant
 * before the first and after the last. Immutable and thread-safe.
 */
public final class AgeKeyframes {
  private final ImmutableSortedMap<Integer, Double> keys;

  private AgeKeyframes(NavigableMap<Integer, Double> keys) {
    this.keys = ImmutableSortedMap.copyOfSorted(keys);
  }

  /**
   * Returns keyframes with one age for all frames.
   *
   * @param age the age in years
   * @return the keyframes
   */
  public static AgeKeyframes constant(double age) {
    TreeMap<Integer, Double> m = new TreeMap<>();
    m.put(0, AgeMap.checkAge(age, "age"));
    return new AgeKeyframes(m);
  }

  /**
   * Returns keyframes from a map of frame index to age.
   *
   * @param keys at least one entry; frame indices &gt;= 0, ages in [0, 150]
   * @return the keyframes
   */
  public static AgeKeyframes of(Map<Integer, Double> keys) {
    checkNotNull(keys, "keys");
    checkArgument(!keys.isEmpty(), "need at least one keyframe");
    TreeMap<Integer, Double> m = new TreeMap<>();
    for (Map.Entry<Integer, Double> e : keys.entrySet()) {
      checkArgument(e.getKey() >= 0, "keyframe index must be >= 0, got %s", e.getKey());
      m.put(e.getKey(), AgeMap.checkAge(e.getValue(), "age at frame " + e.getKey()));
    }
    return new AgeKeyframes(m);
  }

  /**
   * Parses {@code AGE} or {@code FRAME:AGE,FRAME:AGE,...}, e.g. {@code 0:30,120:70}.
   *
   * @param text the keyframes
   * @return the keyframes
   * @throws IllegalArgumentException naming the expected form
   */
  public static AgeKeyframes parse(String text) {
    checkNotNull(text, "text");
    checkArgument(!text.isBlank(), "empty age keyframes; expected AGE or FRAME:AGE,...");
    try {
      if (!text.contains(":")) {
        return constant(Double.parseDouble(text.trim()));
      }
      TreeMap<Integer, Double> m = new TreeMap<>();
      for (String part : text.split(",")) {
        String[] kv = part.trim().split(":");
        checkArgument(kv.length == 2, "age keyframe '%s' must be FRAME:AGE", part.trim());
        m.put(Integer.parseInt(kv[0].trim()), Double.parseDouble(kv[1].trim()));
      }
      return of(m);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "age keyframes '" + text + "' must be AGE or FRAME:AGE,FRAME:AGE,... with numbers", e);
    }
  }

  /**
   * Returns the age at a frame.
   *
   * @param frame the frame index
   * @return the interpolated age
   */
  public double ageAt(int frame) {
    Map.Entry<Integer, Double> lo = keys.floorEntry(frame);
    Map.Entry<Integer, Double> hi = keys.ceilingEntry(frame);
    if (lo == null) {
      return hi.getValue();
    }
    if (hi == null || hi.getKey().equals(lo.getKey())) {
      return lo.getValue();
    }
    double t = (double) (frame - lo.getKey()) / (hi.getKey() - lo.getKey());
    return lo.getValue() + t * (hi.getValue() - lo.getValue());
  }

  @Override
  public String toString() {
    return "AgeKeyframes" + keys;
  }
}
