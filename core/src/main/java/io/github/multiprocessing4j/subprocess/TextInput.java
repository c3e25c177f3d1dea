package io.github.multiprocessing4j.subprocess;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;

/**
 * Text bound for a command's stdin, encoded strictly: a character the charset cannot encode (an {@code é} in
 * US-ASCII, a lone surrogate in UTF-8) is an error that names it, as Python's {@code UnicodeEncodeError} is,
 * where {@link String#getBytes(Charset)} would silently send {@code ?} instead.
 */
final class TextInput {
    private TextInput() {
    }

    /**
     * @throws IllegalArgumentException if {@code text} has a character that {@code charset} cannot encode, or
     *                                  {@code charset} encodes nothing (one that only decodes, as
     *                                  {@code x-JISAutoDetect}, whose {@code newEncoder()} would throw
     *                                  {@link UnsupportedOperationException} without a message)
     */
    static byte[] encode(String text, Charset charset) {
        if (!charset.canEncode()) {
            throw new IllegalArgumentException("the input text cannot be encoded in " + charset.name() + ", a charset"
                    + " that only decodes; pass bytes, or choose a charset that encodes (charset(...))");
        }
        CharsetEncoder encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer in = CharBuffer.wrap(text);
        try {
            var out = encoder.encode(in);
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            int at = in.position();
            int cp = at < text.length() ? text.codePointAt(at) : 0;
            // a code point, not a char: the low 16 bits of U+1D800 are those of a surrogate
            String what = Character.getType(cp) == Character.SURROGATE ? "a lone surrogate"
                    : "'" + Character.toString(cp) + "'";
            throw new IllegalArgumentException(String.format("the input text cannot be encoded in %s: U+%04X at"
                    + " index %d (%s); pass bytes, or choose a charset that has it (charset(...))", charset.name(), cp,
                    at, what), e);
        }
    }
}
