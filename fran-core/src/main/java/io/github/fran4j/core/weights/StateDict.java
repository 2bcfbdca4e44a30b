package io.github.fran4j.core.weights;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * An ordered, immutable map from PyTorch-style parameter names ({@code inc.double_conv.0.weight})
 * to tensors, plus string metadata (for safetensors, the {@code __metadata__} block).
 *
 * <p>This is the one weight representation every part of FRAN for Java exchanges: the trainer
 * writes it, the exporter and the backends read it. Thread-safe (immutable).
 */
public final class StateDict {
  private final ImmutableMap<String, Tensor> tensors;
  private final ImmutableMap<String, String> metadata;

  private StateDict(ImmutableMap<String, Tensor> tensors, ImmutableMap<String, String> metadata) {
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Creates a state dict.
   *
   * @param tensors name to tensor, in the order to keep
   * @param metadata string metadata
   * @return the state dict
   */
  public static StateDict of(Map<String, Tensor> tensors, Map<String, String> metadata) {
    return new StateDict(ImmutableMap.copyOf(tensors), ImmutableMap.copyOf(metadata));
  }

  /**
   * Creates a state dict with no metadata.
   *
   * @param tensors name to tensor, in the order to keep
   * @return the state dict
   */
  public static StateDict of(Map<String, Tensor> tensors) {
    return of(tensors, Map.of());
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder pre-filled with this state dict's tensors and metadata} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.tensors.putAll(tensors);
    b.metadata.putAll(metadata);
    return b;
  }

  /** {@return the tensors by name, in insertion order} */
  public ImmutableMap<String, Tensor> tensors() {
    return tensors;
  }

  /** {@return the metadata} */
  public ImmutableMap<String, String> metadata() {
    return metadata;
  }

  /** {@return the tensor names in order} */
  public Set<String> names() {
    return tensors.keySet();
  }

  /** {@return the number of tensors} */
  public int size() {
    return tensors.size();
  }

  /**
   * Returns true when a tensor of this name exists.
   *
   * @param name a parameter name
   * @return whether it is present
   */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * Returns a tensor if present.
   *
   * @param name a parameter name
   * @return the tensor, or empty
   */
  public Optional<Tensor> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /**
   * Returns a tensor that must exist.
   *
   * @param name a parameter name
   * @return the tensor
   * @throws NoSuchElementException naming the missing tensor
   */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new NoSuchElementException(
          "no tensor '" + name + "' in state dict (" + tensors.size() + " tensors)");
    }
    return t;
  }

  /**
   * Returns a tensor that must exist with the given shape.
   *
   * @param name a parameter name
   * @param shape the expected shape
   * @return the tensor
   * @throws IllegalArgumentException naming the tensor, its shape and the expected one
   * @throws NoSuchElementException if it is missing
   */
  public Tensor get(String name, int... shape) {
    Tensor t = get(name);
    checkArgument(
        t.hasShape(shape),
        "tensor '%s' has shape %s, expected %s",
        name,
        Arrays.toString(t.shape()),
        Arrays.toString(shape));
    return t;
  }

  /** {@return the total number of elements over all tensors} */
  public long parameterCount() {
    long n = 0;
    for (Tensor t : tensors.values()) {
      n += t.size();
    }
    return n;
  }

  /** Returns a one-line summary. */
  @Override
  public String toString() {
    return "StateDict[" + tensors.size() + " tensors, " + parameterCount() + " elements]";
  }

  /** Compares tensors (including order) and metadata. */
  @Override
  public boolean equals(Object o) {
    return o instanceof StateDict
        && tensors.equals(((StateDict) o).tensors)
        && tensors.keySet().asList().equals(((StateDict) o).tensors.keySet().asList())
        && metadata.equals(((StateDict) o).metadata);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode() * 31 + metadata.hashCode();
  }

  /** Builds a {@link StateDict}; not thread-safe. */
  public static final class Builder {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds or replaces a tensor (a replaced name keeps its position).
     *
     * @param name the parameter name
     * @param tensor the tensor
     * @return this builder
     */
    public Builder put(String name, Tensor tensor) {
      checkNotNull(name, "name");
      checkNotNull(tensor, "tensor for '%s'", name);
      tensors.put(name, tensor);
      return this;
    }

    /**
     * Adds or replaces a metadata entry.
     *
     * @param key the key
     * @param value the value
     * @return this builder
     */
    public Builder putMetadata(String key, String value) {
      metadata.put(checkNotNull(key, "key"), checkNotNull(value, "value for '%s'", key));
      return this;
    }

    /**
     * Removes a tensor if present.
     *
     * @param name the parameter name
     * @return this builder
     */
    public Builder remove(String name) {
      tensors.remove(name);
      return this;
    }

    /** {@return the state dict} */
    public StateDict build() {
      return StateDict.of(tensors, metadata);
    }
  }
}
