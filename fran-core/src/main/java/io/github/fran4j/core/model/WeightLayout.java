package io.github.fran4j.core.model;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameter names and shapes of one {@link UNetFamily} at one {@link UNetConfig}: what a
 * state dict of that network holds, in PyTorch's {@code state_dict()} order. One implementation
 * per family owns that family's names ({@link UNetLayout}, {@link CommunityUNetLayout}).
 * Implementations are immutable and thread-safe.
 */
public sealed interface WeightLayout permits UNetLayout, CommunityUNetLayout {

  /** {@return the configuration this layout describes} */
  UNetConfig config();

  /** {@return every parameter and buffer in PyTorch's {@code state_dict()} order} */
  ImmutableList<UNetLayout.Parameter> parameters();

  /**
   * Returns whether a tensor is a buffer rather than a trainable parameter (BatchNorm statistics,
   * a BlurPool filter).
   *
   * @param name the state dict key
   * @return true for buffers
   */
  boolean isBuffer(String name);

  /**
   * Returns whether a state dict may lack this tensor (some exporters drop
   * {@code num_batches_tracked}).
   *
   * @param name the state dict key
   * @return true if absence is accepted
   */
  default boolean isOptional(String name) {
    return false;
  }

  /** {@return the number of trainable parameters (buffers excluded)} */
  default long trainableParameterCount() {
    long n = 0;
    for (UNetLayout.Parameter p : parameters()) {
      if (!isBuffer(p.name())) {
        n += Tensor.numel(p.shape());
      }
    }
    return n;
  }

  /**
   * Checks that a state dict holds exactly this layout's tensors with the right shapes.
   *
   * @param weights the state dict
   * @throws ModelFormatException listing every missing, misshaped and unexpected tensor
   */
  default void check(StateDict weights) throws ModelFormatException {
    List<String> missing = new ArrayList<>();
    List<String> misshaped = new ArrayList<>();
    Set<String> unexpected = new LinkedHashSet<>(weights.names());
    for (UNetLayout.Parameter p : parameters()) {
      unexpected.remove(p.name());
      Tensor t = weights.tensors().get(p.name());
      if (t == null) {
        if (!isOptional(p.name())) {
          missing.add(p.toString());
        }
      } else if (!t.hasShape(p.shape()) && !(p.shape().length == 0 && t.size() == 1)) {
        misshaped.add(p.name() + " is " + Arrays.toString(t.shape()) + ", expected "
            + Arrays.toString(p.shape()));
      }
    }
    if (missing.isEmpty() && misshaped.isEmpty() && unexpected.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder("weights do not match ").append(config());
    appendList(sb, "missing", missing);
    appendList(sb, "misshaped", misshaped);
    appendList(sb, "unexpected", new ArrayList<>(unexpected));
    throw new ModelFormatException(sb.toString());
  }

  private static void appendList(StringBuilder sb, String what, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    sb.append("; ").append(items.size()).append(' ').append(what).append(": ");
    int shown = Math.min(items.size(), 10);
    sb.append(String.join(", ", items.subList(0, shown)));
    if (items.size() > shown) {
      sb.append(", ... (").append(items.size() - shown).append(" more)");
    }
  }
}
