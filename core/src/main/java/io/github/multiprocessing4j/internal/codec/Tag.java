package io.github.multiprocessing4j.internal.codec;

/**
 * The first byte of every value the {@link StandardCodec} writes.
 *
 * <pre>
 *  tag  body
 *  0    (null)
 *  1    int length, bytes                 byte[]
 *  2    int length, ISO-8859-1 bytes       String whose chars are all below 256
 *  3    int length, UTF-16BE chars         any other String (lossless, even for lone surrogates)
 *  4..11  the primitive, big-endian         Integer Long Double Float Short Byte Character Boolean
 *  12..19 int length, elements              int[] long[] double[] float[] short[] char[] boolean[] (byte[] is 1)
 *  20   a serializable lambda's form: its   a lambda that captures only values of the tags above
 *       classes' and methods' names, then  (see {@link LambdaCodec})
 *       int count, the captured values
 *  127  int length, Java serialization stream
 * </pre>
 */
final class Tag {
    static final byte NULL = 0;
    static final byte BYTES = 1;
    static final byte LATIN1 = 2;
    static final byte UTF16 = 3;
    static final byte INT = 4;
    static final byte LONG = 5;
    static final byte DOUBLE = 6;
    static final byte FLOAT = 7;
    static final byte SHORT = 8;
    static final byte BYTE = 9;
    static final byte CHAR = 10;
    static final byte BOOLEAN = 11;
    static final byte INTS = 12;
    static final byte LONGS = 13;
    static final byte DOUBLES = 14;
    static final byte FLOATS = 15;
    static final byte SHORTS = 16;
    static final byte CHARS = 17;
    static final byte BOOLEANS = 18;
    static final byte LAMBDA = 20;
    static final byte SERIAL = 127;

    private Tag() {
    }
}
