package dev.pagoda.catalog.tokenizer;

import java.util.Arrays;

/**
 * Streaming decode of one sequence: push generated ids one at a time and get the text each adds.
 * The concatenation of all deltas plus {@link #flush()} equals {@code decode(allIds)} exactly.
 *
 * <p>vLLM's approach: decode only a small window, {@code ids[prefixOffset..]}, and emit what it adds
 * beyond {@code ids[prefixOffset..readOffset)}. The window starts with already-emitted tokens so that
 * context-dependent decoding (SentencePiece strips the first token's leading space) treats the window's
 * first token the way the full decode treats it. A window ending in U+FFFD is held back: the last
 * tokens are an incomplete UTF-8 sequence (byte-fallback or byte-level pieces of one character) that the
 * next tokens may complete; only {@link #flush()} emits a replacement character that stays.
 *
 * <p>Text ending in a byte-fallback token ({@code <0xXX>}) is held back too, even when valid: HF's
 * ByteFallback decoder turns a whole run of byte tokens into one U+FFFD per byte as soon as the run is
 * not valid UTF-8, so a later byte token can change text that already looked complete ("½" then
 * "\uFFFD\uFFFD\uFFFD"). The run is final once a visible token of another kind follows.
 */
public final class IncrementalDetokenizer {

    private static final char REPLACEMENT = '\uFFFD';

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[64]; // every id pushed so far; only the window is decoded
    private int size;
    private int prefixOffset; // window start: first already-emitted token still used as context
    private int readOffset; // tokens before this are emitted
    private String prefixText = ""; // decode(ids[prefixOffset, readOffset))

    public IncrementalDetokenizer(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one generated id; returns the new text, empty while a character is still incomplete. */
    public String push(int id) {
        tokenizer.tokenPiece(id); // rejects an unknown id before it enters the window
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
        if (endsInByteRun()) return "";
        String window = decodeWindow();
        if (!window.isEmpty() && window.charAt(window.length() - 1) == REPLACEMENT) return "";
        return emit(window);
    }

    /** Whether the last token that shows in the text is a {@code <0xXX>} byte-fallback piece. */
    private boolean endsInByteRun() {
        for (int i = size - 1; i >= readOffset; i--) {
            if (visible(ids[i])) return isBytePiece(tokenizer.tokenPiece(ids[i]));
        }
        return false;
    }

    private static boolean isBytePiece(String piece) {
        return piece.length() == 6 && piece.startsWith("<0x") && piece.charAt(5) == '>';
    }

    /** Emits whatever is held back (at the end of the sequence a trailing U+FFFD is final). */
    public String flush() {
        return readOffset == size ? "" : emit(decodeWindow());
    }

    /** All ids pushed so far. */
    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    private String decodeWindow() {
        return tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecialTokens);
    }

    private String emit(String window) {
        if (!window.startsWith(prefixText)) {
            throw new IllegalStateException("decoding is not prefix-stable: \"" + prefixText + "\" then \"" + window + "\"");
        }
        String delta = window.substring(prefixText.length());
        // Move the window only past tokens that show in the text: a window starting at a skipped
        // special token would make the next visible token "first" and lose its leading space.
        if (hasVisible(readOffset, size)) {
            prefixOffset = readOffset;
            prefixText = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecialTokens);
        } else {
            prefixText = window;
        }
        readOffset = size;
        return delta;
    }

    private boolean hasVisible(int from, int to) {
        for (int i = from; i < to; i++) {
            if (visible(ids[i])) return true;
        }
        return false;
    }

    private boolean visible(int id) {
        return !skipSpecialTokens || !tokenizer.isSpecial(id);
    }
}
