package dev.pagoda.catalog.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The bytes a vocabulary piece stands for in decoded text, per decoder family: what a grammar over
 * bytes (structured output) matches a token against, and what the decoders below concatenate.
 */
final class PieceBytes {

    private PieceBytes() {}

    /**
     * HF's ByteLevel decoder: a piece spelled wholly in {@link ByteLevelAlphabet} gives those bytes,
     * any other (an added token such as {@code <|im_start|>} written outside the alphabet) its UTF-8.
     */
    static byte[] byteLevel(String piece) {
        byte[] spelled = new byte[piece.length()];
        for (int i = 0; i < piece.length(); i++) {
            int b = ByteLevelAlphabet.byteOf(piece.charAt(i));
            if (b < 0) return piece.getBytes(StandardCharsets.UTF_8);
            spelled[i] = (byte) b;
        }
        return spelled;
    }

    /**
     * SentencePiece decoders (Replace "▁" by " ", ByteFallback): a {@code <0xXX>} piece is that one
     * byte, any other piece its UTF-8 with "▁" as a space. The Strip decoder's removal of the whole
     * text's first space is not a property of a token and is not applied here.
     */
    static byte[] sentencePiece(String piece) {
        int b = byteTokenValue(piece);
        if (b >= 0) return new byte[] {(byte) b};
        return piece.replace(SentencePieceBpe.SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** The byte a {@code <0xXX>} piece stands for, or -1 for any other piece. */
    static int byteTokenValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') return -1;
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
