package io.github.fran4j.core.weights.pth;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.fran4j.core.ModelFormatException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that builds plain values and never calls anything: the few globals a state dict
 * needs are recognized by name and interpreted by this class; any other global is an error.
 *
 * <p>See {@link PthReader} for the accepted globals. Not thread-safe; one instance per file.
 */
final class RestrictedUnpickler {
  /** Typed storage classes and the element size of each; the reader maps some to a DType. */
  static final Map<String, Integer> STORAGE_TYPES =
      ImmutableMap.ofEntries(
          Map.entry("FloatStorage", 4),
          Map.entry("HalfStorage", 2),
          Map.entry("BFloat16Storage", 2),
          Map.entry("LongStorage", 8),
          Map.entry("DoubleStorage", 8),
          Map.entry("IntStorage", 4),
          Map.entry("ShortStorage", 2),
          Map.entry("CharStorage", 1),
          Map.entry("ByteStorage", 1),
          Map.entry("BoolStorage", 1));

  static final String ORDERED_DICT = "collections.OrderedDict";
  static final String REBUILD_TENSOR_V2 = "torch._utils._rebuild_tensor_v2";
  static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor";
  static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
  static final String REBUILD_PARAMETER_WITH_STATE = "torch._utils._rebuild_parameter_with_state";

  /** The callables accepted besides the storage types (which are only type tags). */
  static final Set<String> CALLABLES =
      ImmutableSet.of(
          ORDERED_DICT,
          REBUILD_TENSOR_V2,
          REBUILD_TENSOR,
          REBUILD_PARAMETER,
          REBUILD_PARAMETER_WITH_STATE);

  private static final Object MARK = new Object();

  private final byte[] data;
  private final String source;
  private final Limits limits;
  private final ByteBuffer le;
  private int pos;
  private int tensors;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  RestrictedUnpickler(byte[] data, String source, Limits limits) {
    this.data = data;
    this.source = source;
    this.limits = limits;
    this.le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The accepted globals for messages, derived from {@link #CALLABLES} and {@link #STORAGE_TYPES}
   * so that the list a user reads is the list the reader applies.
   */
  static final String ALLOWED_GLOBALS = allowList();

  private static String allowList() {
    String storages = STORAGE_TYPES.keySet().stream()
        .map(k -> k.substring(0, k.length() - "Storage".length()))
        .collect(java.util.stream.Collectors.joining("|", "torch.<", ">Storage"));
    return "[" + String.join(", ", CALLABLES) + ", " + storages + "]";
  }

  /** Returns true if a global (module.name) is on the whitelist. */
  static boolean allowed(String module, String name) {
    return CALLABLES.contains(module + "." + name)
        || ("torch".equals(module) && STORAGE_TYPES.containsKey(name));
  }

  private ModelFormatException error(String what) {
    return new ModelFormatException(source + ": " + what + " (pickle offset " + pos + ")");
  }

  /** Reads the whole pickle and returns its root value. */
  Object load() throws ModelFormatException {
    try {
      return run();
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw error("truncated pickle");
    } catch (Py.TooDeepException e) {
      throw tooDeep("containers");
    }
  }

  /** Nesting beyond the limit: what it is, the limit, and what a checkpoint looks like. */
  private ModelFormatException tooDeep(String what) {
    return error("pickle nests " + what + " deeper than the limit of " + limits.maxNesting()
        + " levels, expected a state dict or checkpoint (about 7 levels); not a torch.save "
        + "checkpoint, or one built to exhaust the reader (if you trust the file, raise the limit "
        + "with PthReader.builder().optMaxNesting)");
  }

  private Object run() throws ModelFormatException {
    while (true) {
      if (pos >= data.length) {
        throw error("pickle ends without a STOP opcode (truncated)");
      }
      int op = data[pos++] & 0xFF;
      switch (op) {
        case 0x80: // PROTO
          int proto = u8();
          if (proto > 5) {
            throw error("unsupported pickle protocol " + proto + ", expected 2..5");
          }
          break;
        case 0x95: // FRAME: an 8-byte length we do not need
          need(8);
          pos += 8;
          break;
        case '.': // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw error("pickle stops with " + stack.size() + " values on the stack, expected 1");
          }
          return stack.get(0);
        case '(':
          if (marks.size() >= limits.maxNesting()) {
            throw tooDeep("marks");
          }
          marks.add(stack.size());
          break;
        case '0': // POP
          pop();
          break;
        case '1': // POP_MARK
          popMark();
          break;
        case '2': // DUP
          push(peek());
          break;
        case 'N':
          push(Py.None.NONE);
          break;
        case 0x88:
          push(Boolean.TRUE);
          break;
        case 0x89:
          push(Boolean.FALSE);
          break;
        case 'J': // BININT
          need(4);
          push((long) le.getInt(pos));
          pos += 4;
          break;
        case 'K': // BININT1
          push((long) u8());
          break;
        case 'M': // BININT2
          need(2);
          push((long) (le.getShort(pos) & 0xFFFF));
          pos += 2;
          break;
        case 0x8a: // LONG1
          push(longValue(bytes(u8())));
          break;
        case 0x8b: // LONG4
          push(longValue(bytes(length(le32()))));
          break;
        case 'I': // INT (text): protocol 0 and 1 booleans and ints
          push(textInt(line(64)));
          break;
        case 'G': // BINFLOAT, big-endian
          need(8);
          push(ByteBuffer.wrap(data, pos, 8).order(ByteOrder.BIG_ENDIAN).getDouble());
          pos += 8;
          break;
        case 'X': // BINUNICODE
          push(utf8(length(le32())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          push(utf8(u8()));
          break;
        case 0x8d: // BINUNICODE8
          push(utf8(length(le64())));
          break;
        case 'T': // BINSTRING (python 2 str): latin-1
          push(latin1(length(le32())));
          break;
        case 'U': // SHORT_BINSTRING
          push(latin1(u8()));
          break;
        case 'B': // BINBYTES
          push(new Py.Bytes(bytes(length(le32()))));
          break;
        case 'C': // SHORT_BINBYTES
          push(new Py.Bytes(bytes(u8())));
          break;
        case 0x8e: // BINBYTES8
          push(new Py.Bytes(bytes(length(le64()))));
          break;
        case ')':
          push(tuple(List.of()));
          break;
        case 't':
          push(tuple(popMark()));
          break;
        case 0x85:
          push(tuple(List.of(pop())));
          break;
        case 0x86: {
          Object b = pop();
          Object a = pop();
          push(tuple(List.of(a, b)));
          break;
        }
        case 0x87: {
          Object c = pop();
          Object b = pop();
          Object a = pop();
          push(tuple(List.of(a, b, c)));
          break;
        }
        case ']':
          push(new Py.PyList());
          break;
        case 'l': {
          Py.PyList list = new Py.PyList();
          for (Object o : popMark()) {
            listAdd(list, o);
          }
          push(list);
          break;
        }
        case 'a': {
          Object item = pop();
          listAdd(asList(peek(), "APPEND"), item);
          break;
        }
        case 'e': {
          List<Object> items = popMark();
          Py.PyList list = asList(peek(), "APPENDS");
          for (Object o : items) {
            listAdd(list, o);
          }
          break;
        }
        case '}':
          push(new Py.Dict());
          break;
        case 'd': {
          Py.Dict dict = new Py.Dict();
          setItems(dict, popMark());
          push(dict);
          break;
        }
        case 's': {
          Object value = pop();
          Object key = pop();
          setItems(asDict(peek(), "SETITEM"), List.of(key, value));
          break;
        }
        case 'u': {
          List<Object> kv = popMark();
          setItems(asDict(peek(), "SETITEMS"), kv);
          break;
        }
        case 0x8f: // EMPTY_SET
          push(new Py.PySet());
          break;
        case 0x90: { // ADDITEMS
          List<Object> items = popMark();
          Object top = peek();
          if (!(top instanceof Py.PySet)) {
            throw error("ADDITEMS on a " + Py.typeName(top) + ", expected a set");
          }
          for (Object o : items) {
            setAdd((Py.PySet) top, o);
          }
          break;
        }
        case 0x91: { // FROZENSET
          Py.PySet set = new Py.PySet();
          for (Object o : popMark()) {
            setAdd(set, o);
          }
          push(set);
          break;
        }
        case 'c': { // GLOBAL "module\nname\n"
          String module = line(256);
          String name = line(256);
          push(global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String) || !(name instanceof String)) {
            throw error("STACK_GLOBAL needs two strings, got " + Py.typeName(module) + " and "
                + Py.typeName(name));
          }
          push(global((String) module, (String) name));
          break;
        }
        case 'R': { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(reduce(callable, args));
          break;
        }
        case 'b': { // BUILD: set state; accepted only where it changes nothing we read
          Object state = pop();
          Object target = peek();
          if (!(target instanceof Py.Dict || target instanceof Py.TensorRef)) {
            throw error("BUILD on a " + Py.typeName(target)
                + ", expected an OrderedDict or a tensor");
          }
          if (Py.depthOf(state) > limits.maxNesting()) {
            throw tooDeep("containers");
          }
          break;
        }
        case 'Q': { // BINPERSID
          push(persistentLoad(pop()));
          break;
        }
        case 'P': // PERSID (text): torch never writes it
          throw error("text persistent ids (PERSID) are not used by torch.save");
        case 'q':
          memoPut(u8());
          break;
        case 'r':
          memoPut(le32() & 0xFFFFFFFFL);
          break;
        case 0x94: // MEMOIZE
          memoPut(memo.size());
          break;
        case 'p':
          memoPut(parseLong(line(32)));
          break;
        case 'h':
          push(memoGet(u8()));
          break;
        case 'j':
          push(memoGet(le32() & 0xFFFFFFFFL));
          break;
        case 'g':
          push(memoGet(parseLong(line(32))));
          break;
        case 0x81: // NEWOBJ
        case 0x92: // NEWOBJ_EX
        case 'i': // INST
        case 'o': // OBJ
          throw error("pickle creates an object of a class (opcode 0x" + Integer.toHexString(op)
              + "); a state dict never does, and nothing is executed");
        default:
          throw error("unsupported pickle opcode 0x" + Integer.toHexString(op)
              + " (torch.save writes protocol 2 opcodes only)");
      }
    }
  }

  // --- values -------------------------------------------------------------------------------

  private Py.Global global(String module, String name) throws ModelFormatException {
    if (!allowed(module, name)) {
      throw new ModelFormatException(
          source + ": the pickle references the global '" + module + "." + name + "', which is"
              + " not allowed (nothing was executed). Only state dicts of tensors are read: "
              + "accepted globals are " + ALLOWED_GLOBALS + ". If you trust the file,"
              + " load it in Python and save only the weights: "
              + "torch.save(model.state_dict(), 'weights.pth')");
    }
    return new Py.Global(module, name);
  }

  private Object reduce(Object callable, Object args) throws ModelFormatException {
    if (!(callable instanceof Py.Global)) {
      throw error("REDUCE calls a " + Py.typeName(callable) + ", expected a whitelisted global");
    }
    if (!(args instanceof Py.Tuple)) {
      throw error("REDUCE arguments are a " + Py.typeName(args) + ", expected a tuple");
    }
    String fn = ((Py.Global) callable).qualified();
    List<Object> a = ((Py.Tuple) args).items;
    switch (fn) {
      case ORDERED_DICT: {
        Py.Dict dict = new Py.Dict();
        if (a.size() == 1 && a.get(0) instanceof Py.PyList) {
          for (Object pair : ((Py.PyList) a.get(0)).items) {
            if (!(pair instanceof Py.Tuple) && !(pair instanceof Py.PyList)) {
              throw error("OrderedDict item is a " + Py.typeName(pair) + ", expected a pair");
            }
            List<Object> kv =
                pair instanceof Py.Tuple ? ((Py.Tuple) pair).items : ((Py.PyList) pair).items;
            if (kv.size() != 2) {
              throw error("OrderedDict item has " + kv.size() + " elements, expected 2");
            }
            setItems(dict, kv);
          }
        } else if (!a.isEmpty()) {
          throw error("OrderedDict called with " + a.size() + " arguments, expected () or a list");
        }
        return dict;
      }
      case REBUILD_TENSOR_V2:
        // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.size() != 6 && a.size() != 7) {
          throw error(fn + " called with " + a.size() + " arguments, expected 6 or 7");
        }
        return tensor(a);
      case REBUILD_TENSOR:
        if (a.size() != 4) {
          throw error(fn + " called with " + a.size() + " arguments, expected 4");
        }
        return tensor(a);
      case REBUILD_PARAMETER:
      case REBUILD_PARAMETER_WITH_STATE:
        // (data, requires_grad, backward_hooks[, state]): a parameter is its data tensor.
        if (a.isEmpty() || !(a.get(0) instanceof Py.TensorRef)) {
          throw error(fn + " needs a tensor as its first argument");
        }
        return a.get(0);
      default:
        throw error("the global " + fn + " is a type tag and cannot be called");
    }
  }

  private Py.TensorRef tensor(List<Object> a) throws ModelFormatException {
    // The same bound as for safetensors: each rebuilt tensor costs work and memory even if empty.
    if (++tensors > io.github.fran4j.core.weights.SafeTensors.MAX_TENSORS) {
      throw error("the pickle rebuilds more than " + io.github.fran4j.core.weights.SafeTensors
          .MAX_TENSORS + " tensors (limit SafeTensors.MAX_TENSORS); a FRAN U-Net has about 100");
    }
    if (!(a.get(0) instanceof Py.Storage)) {
      throw error("tensor rebuilt from a " + Py.typeName(a.get(0)) + ", expected a storage");
    }
    long offset = asLong(a.get(1), "storage offset");
    long[] size = longs(a.get(2), "size");
    long[] stride = longs(a.get(3), "stride");
    return new Py.TensorRef((Py.Storage) a.get(0), offset, size, stride);
  }

  private Object persistentLoad(Object pid) throws ModelFormatException {
    if (!(pid instanceof Py.Tuple)) {
      throw error("persistent id is a " + Py.typeName(pid) + ", expected a tuple");
    }
    List<Object> t = ((Py.Tuple) pid).items;
    if (t.size() != 5 || !"storage".equals(t.get(0))) {
      throw error("persistent id is not a ('storage', type, key, location, numel) tuple");
    }
    Object type = t.get(1);
    if (!(type instanceof Py.Global)
        || !"torch".equals(((Py.Global) type).module())
        || !STORAGE_TYPES.containsKey(((Py.Global) type).name())) {
      throw error("storage type is " + Py.typeName(type) + ", expected a torch.*Storage");
    }
    if (!(t.get(2) instanceof String) || !(t.get(3) instanceof String)) {
      throw error("storage key and location must be strings");
    }
    long numel = asLong(t.get(4), "storage size");
    return new Py.Storage((Py.Global) type, (String) t.get(2), (String) t.get(3), numel);
  }

  private long[] longs(Object o, String what) throws ModelFormatException {
    if (!(o instanceof Py.Tuple)) {
      throw error("tensor " + what + " is a " + Py.typeName(o) + ", expected a tuple of ints");
    }
    List<Object> items = ((Py.Tuple) o).items;
    long[] r = new long[items.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = asLong(items.get(i), what);
    }
    return r;
  }

  private long asLong(Object o, String what) throws ModelFormatException {
    if (!(o instanceof Long) || (Long) o < 0) {
      throw error(what + " is " + (o instanceof Long ? o : Py.typeName(o))
          + ", expected a non-negative int");
    }
    return (Long) o;
  }

  private Py.Tuple tuple(List<Object> items) throws ModelFormatException {
    return new Py.Tuple(items, limits.maxNesting());
  }

  private void listAdd(Py.PyList list, Object item) throws ModelFormatException {
    list.adopt(item, limits.maxNesting());
    list.items.add(item);
  }

  private void setAdd(Py.PySet set, Object item) throws ModelFormatException {
    checkHashable(item);
    set.adopt(item, limits.maxNesting());
    set.items.add(item);
  }

  private void setItems(Py.Dict dict, List<Object> kv) throws ModelFormatException {
    if (kv.size() % 2 != 0) {
      throw error("odd number of values (" + kv.size() + ") for dict items");
    }
    for (int i = 0; i < kv.size(); i += 2) {
      Object key = kv.get(i);
      checkHashable(key);
      dict.adopt(key, limits.maxNesting());
      dict.adopt(kv.get(i + 1), limits.maxNesting());
      dict.items.put(key, kv.get(i + 1));
    }
  }

  /** Only immutable values may be keys: mutable containers could be cyclic and hash forever. */
  private void checkHashable(Object key) throws ModelFormatException {
    if (key instanceof Py.Tuple) {
      for (Object o : ((Py.Tuple) key).items) {
        checkHashable(o);
      }
    } else if (key instanceof Py.PyList || key instanceof Py.Dict || key instanceof Py.PySet) {
      throw error("unhashable " + Py.typeName(key) + " used as a dict key or set item");
    }
  }

  private Py.PyList asList(Object o, String op) throws ModelFormatException {
    if (!(o instanceof Py.PyList)) {
      throw error(op + " on a " + Py.typeName(o) + ", expected a list");
    }
    return (Py.PyList) o;
  }

  private Py.Dict asDict(Object o, String op) throws ModelFormatException {
    if (!(o instanceof Py.Dict)) {
      throw error(op + " on a " + Py.typeName(o) + ", expected a dict");
    }
    return (Py.Dict) o;
  }

  // --- stack and memo -----------------------------------------------------------------------

  private void push(Object o) throws ModelFormatException {
    if (stack.size() >= limits.maxStack()) {
      throw error("pickle stack exceeds the limit of " + limits.maxStack() + " values");
    }
    stack.add(o);
  }

  private Object pop() throws ModelFormatException {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw error("pickle pops from an empty stack");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() throws ModelFormatException {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw error("pickle reads from an empty stack");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() throws ModelFormatException {
    if (marks.isEmpty()) {
      throw error("pickle closes a mark that was never opened");
    }
    int start = marks.remove(marks.size() - 1);
    List<Object> sub = new ArrayList<>(stack.subList(start, stack.size()));
    stack.subList(start, stack.size()).clear();
    return sub;
  }

  private void memoPut(long index) throws ModelFormatException {
    if (!memo.containsKey(index) && memo.size() >= limits.maxMemo()) {
      throw error("pickle memo exceeds the limit of " + limits.maxMemo() + " entries");
    }
    memo.put(index, peek());
  }

  private Object memoGet(long index) throws ModelFormatException {
    Object o = memo.get(index);
    if (o == null) {
      throw error("pickle reads memo entry " + index + " that was never stored");
    }
    return o;
  }

  // --- raw reads ----------------------------------------------------------------------------

  private void need(long n) throws ModelFormatException {
    if (n > data.length - pos) {
      throw error("truncated pickle: " + n + " bytes needed, " + (data.length - pos) + " left");
    }
  }

  private int u8() throws ModelFormatException {
    need(1);
    return data[pos++] & 0xFF;
  }

  private long le32() throws ModelFormatException {
    need(4);
    long v = le.getInt(pos) & 0xFFFFFFFFL;
    pos += 4;
    return v;
  }

  private long le64() throws ModelFormatException {
    need(8);
    long v = le.getLong(pos);
    pos += 8;
    return v;
  }

  private int length(long n) throws ModelFormatException {
    if (n < 0 || n > limits.maxStringBytes()) {
      throw error("string or bytes of " + Long.toUnsignedString(n)
          + " bytes exceeds the limit of " + limits.maxStringBytes());
    }
    need(n);
    return (int) n;
  }

  private byte[] bytes(int n) throws ModelFormatException {
    length(n);
    byte[] b = new byte[n];
    System.arraycopy(data, pos, b, 0, n);
    pos += n;
    return b;
  }

  private String utf8(int n) throws ModelFormatException {
    return new String(bytes(n), StandardCharsets.UTF_8);
  }

  private String latin1(int n) throws ModelFormatException {
    return new String(bytes(n), StandardCharsets.ISO_8859_1);
  }

  private String line(int max) throws ModelFormatException {
    int start = pos;
    while (pos < data.length && data[pos] != '\n') {
      if (pos - start >= max) {
        throw error("text line longer than " + max + " bytes");
      }
      pos++;
    }
    if (pos >= data.length) {
      throw error("truncated pickle: unterminated text line");
    }
    String s = new String(data, start, pos - start, StandardCharsets.UTF_8);
    pos++;
    return s;
  }

  private long parseLong(String s) throws ModelFormatException {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw error("expected a decimal integer, got '" + s + "'");
    }
  }

  private Object textInt(String s) throws ModelFormatException {
    if ("00".equals(s)) {
      return Boolean.FALSE;
    } else if ("01".equals(s)) {
      return Boolean.TRUE;
    }
    return parseLong(s);
  }

  /** Little-endian two's complement, as LONG1/LONG4 store it. */
  private static Object longValue(byte[] le) {
    if (le.length == 0) {
      return 0L;
    }
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) {
      be[i] = le[le.length - 1 - i];
    }
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }
}
