package io.github.fran4j.core.weights.pth;

import io.github.fran4j.core.ModelFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python values the restricted unpickler produces. Plain Java types stand for scalars
 * ({@link Long}, {@link java.math.BigInteger}, {@link Double}, {@link Boolean}, {@link String});
 * these small classes stand for containers and torch objects. Containers record how deeply they
 * nest so that hostile files cannot build structures that overflow the stack of whoever walks them.
 * Not thread-safe; used by one reader at a time.
 */
final class Py {
  private Py() {}

  /** Python's {@code None}. */
  enum None {
    NONE
  }

  /** A container that tracks its nesting depth (1 for a container of scalars). */
  abstract static class Container {
    private int depth = 1;

    int depth() {
      return depth;
    }

    /** Records that {@code child} is now inside this container, failing beyond {@code max}. */
    void adopt(Object child, int max) throws ModelFormatException {
      int d = depthOf(child) + 1;
      if (d > depth) {
        depth = d;
      }
      if (depth > max) {
        throw new TooDeepException();
      }
    }
  }

  /**
   * Containers nested beyond the limit; the unpickler turns it into a {@link ModelFormatException}
   * naming the file and the offset.
   */
  static final class TooDeepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooDeepException() {
      super(null, null, false, false);
    }
  }

  static int depthOf(Object o) {
    return o instanceof Container ? ((Container) o).depth() : 0;
  }

  /** An immutable tuple; equal to another tuple with equal items (so it can be a dict key). */
  static final class Tuple extends Container {
    final List<Object> items;

    Tuple(List<Object> items, int maxDepth) throws ModelFormatException {
      this.items = List.copyOf(items);
      for (Object o : this.items) {
        adopt(o, maxDepth);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tuple && items.equals(((Tuple) o).items);
    }

    @Override
    public int hashCode() {
      return items.hashCode();
    }
  }

  /** A mutable list. Identity equality: lists are not hashable in Python either. */
  static final class PyList extends Container {
    final List<Object> items = new ArrayList<>();
  }

  /** A dict or OrderedDict (both keep insertion order). Identity equality. */
  static final class Dict extends Container {
    final Map<Object, Object> items = new LinkedHashMap<>();
  }

  /** A set or frozenset. Identity equality. */
  static final class PySet extends Container {
    final Set<Object> items = new LinkedHashSet<>();
  }

  /** A bytes value. */
  static final class Bytes {
    final byte[] value;

    Bytes(byte[] value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes && Arrays.equals(value, ((Bytes) o).value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }
  }

  /** A reference to one of the whitelisted globals (never resolved to anything executable). */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * A storage named by a {@code ('storage', type, key, location, numel)} persistent id.
   *
   * @param type the typed storage global, e.g. {@code torch.FloatStorage}
   * @param key the zip entry under {@code data/}
   * @param location the device it was saved from, e.g. {@code cpu}
   * @param numel the number of elements
   */
  record Storage(Global type, String key, String location, long numel) {}

  /**
   * A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage. Nothing is
   * read until the reader materializes it.
   *
   * @param storage the storage
   * @param offset the storage offset in elements
   * @param size the shape
   * @param stride the strides in elements
   */
  record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

  /** Returns a short description of a value's type for error messages (never recursive). */
  static String typeName(Object o) {
    if (o == null || o == None.NONE) {
      return "None";
    } else if (o instanceof Long || o instanceof java.math.BigInteger) {
      return "int";
    } else if (o instanceof Double) {
      return "float";
    } else if (o instanceof Boolean) {
      return "bool";
    } else if (o instanceof String) {
      return "str";
    } else if (o instanceof Bytes) {
      return "bytes";
    } else if (o instanceof Tuple) {
      return "tuple";
    } else if (o instanceof PyList) {
      return "list";
    } else if (o instanceof Dict) {
      return "dict";
    } else if (o instanceof PySet) {
      return "set";
    } else if (o instanceof Global) {
      return ((Global) o).qualified();
    } else if (o instanceof Storage) {
      return "storage";
    } else if (o instanceof TensorRef) {
      return "tensor";
    }
    return o.getClass().getSimpleName();
  }
}
