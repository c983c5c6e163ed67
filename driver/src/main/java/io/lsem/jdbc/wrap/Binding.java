package io.lsem.jdbc.wrap;

/**
 * One parameter setting of a prepared or callable statement, kept so that it can be applied
 * again on a replay: the recorded operation (a setter, {@code registerOutParameter}, or one of
 * the statement's own stream setters), the parameter index and the (copied) value. A primitive
 * value is kept as its bits and boxed only when a replay asks for it, so a recorded
 * {@code setInt} allocates this object alone.
 */
abstract class Binding {
  private final int op;
  private final int index;

  private Binding(int op, int index) {
    this.op = op;
    this.index = index;
  }

  /** A value of reference type (copied already where the caller could change it). */
  static Binding of(int op, int index, Object value) {
    return new Reference(op, index, value);
  }

  static Binding of(int op, int index, boolean v) {
    return new Primitive(op, index, Primitive.BOOLEAN, v ? 1 : 0);
  }

  static Binding of(int op, int index, byte v) {
    return new Primitive(op, index, Primitive.BYTE, v);
  }

  static Binding of(int op, int index, short v) {
    return new Primitive(op, index, Primitive.SHORT, v);
  }

  static Binding of(int op, int index, int v) {
    return new Primitive(op, index, Primitive.INT, v);
  }

  static Binding of(int op, int index, long v) {
    return new Primitive(op, index, Primitive.LONG, v);
  }

  static Binding of(int op, int index, float v) {
    return new Primitive(op, index, Primitive.FLOAT, Float.floatToRawIntBits(v));
  }

  static Binding of(int op, int index, double v) {
    return new Primitive(op, index, Primitive.DOUBLE, Double.doubleToRawLongBits(v));
  }

  final int op() {
    return op;
  }

  final int index() {
    return index;
  }

  /** The value as the setter took it. */
  abstract Object value();

  /** About the memory the value takes, for the recording's bound. */
  abstract long estimatedBytes();

  @Override
  public final String toString() {
    return "Binding[op=" + op + ", index=" + index + ", value=" + value() + "]";
  }

  private static final class Reference extends Binding {
    private final Object value;

    Reference(int op, int index, Object value) {
      super(op, index);
      this.value = value;
    }

    @Override
    Object value() {
      return value;
    }

    @Override
    long estimatedBytes() {
      return io.lsem.jdbc.tx.Journal.estimateBytes(value);
    }
  }

  /** A primitive value, kept as its bits; it comes back boxed in its own wrapper type. */
  private static final class Primitive extends Binding {
    static final byte BOOLEAN = 1;
    static final byte BYTE = 2;
    static final byte SHORT = 3;
    static final byte INT = 4;
    static final byte LONG = 5;
    static final byte FLOAT = 6;
    static final byte DOUBLE = 7;

    private final byte kind;
    private final long bits;

    Primitive(int op, int index, byte kind, long bits) {
      super(op, index);
      this.kind = kind;
      this.bits = bits;
    }

    @Override
    Object value() {
      switch (kind) {
        case BOOLEAN: return bits != 0;
        case BYTE: return (byte) bits;
        case SHORT: return (short) bits;
        case INT: return (int) bits;
        case LONG: return bits;
        case FLOAT: return Float.intBitsToFloat((int) bits);
        default: return Double.longBitsToDouble(bits);
      }
    }

    @Override
    long estimatedBytes() {
      return 8;
    }
  }
}
