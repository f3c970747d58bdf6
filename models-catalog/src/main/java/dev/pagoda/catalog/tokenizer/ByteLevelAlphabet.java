package dev.pagoda.catalog.tokenizer;

/**
 * GPT-2's byte-to-character table: byte-level BPE vocabularies spell every byte as a printable
 * character (space is "Ġ" U+0120, newline "Ċ" U+010A) so tokens are plain strings. Public because
 * writers of byte-level vocabularies (the synthetic tokenizer) spell bytes with the same table.
 */
public final class ByteLevelAlphabet {

    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_CHAR = new int[324]; // chars used are below U+0144; -1 elsewhere

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevelAlphabet() {}

    public static char charOf(byte b) {
        return CHAR_OF_BYTE[b & 0xFF];
    }

    /** The byte {@code c} spells, or -1 where {@code c} is not in the alphabet. */
    public static int byteOf(char c) {
        return c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
    }
}
