package dev.pagoda.webapi.server;

import dev.pagoda.catalog.tokenizer.IncrementalDetokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.TokenizerConfig;
import dev.pagoda.engine.api.ModelInfo;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what a request's text may cost the tokenizer, for every route that tokenizes (completions,
 * chat, {@code /tokenize}, {@code /detokenize}). The tokenizer is native code that allocates many
 * times a text's size: four 19 MB prompts at once once took a server to 14 GB. So:
 * <ul>
 *   <li>a text longer than the model's context could ever hold is refused with 413 before it is
 *       tokenized: each token covers at most as many characters as the longest vocabulary piece, so
 *       {@code maxModelLen × longest piece} characters (doubled for normalizers, at least 16 a
 *       token) is more than any prompt that fits;</li>
 *   <li>at most {@link RequestLimits#tokenizerConcurrency()} texts are tokenized at once; the rest
 *       wait their turn (503 after {@link #WAIT_SECONDS});</li>
 *   <li>{@code /detokenize} takes at most {@code maxModelLen} ids, more than any sequence has.</li>
 * </ul>
 */
public final class TokenizerGate {

    static final long WAIT_SECONDS = 30;
    private static final int MIN_CHARS_PER_TOKEN = 16;

    private final Semaphore permits;
    private final long maxChars;
    private final int maxIds;
    private final int contextTokens;

    TokenizerGate(int concurrency, long maxChars, int maxIds, int contextTokens) {
        this.permits = new Semaphore(concurrency, true);
        this.maxChars = maxChars;
        this.maxIds = maxIds;
        this.contextTokens = contextTokens;
    }

    public static TokenizerGate of(ModelInfo model, int concurrency) {
        int longestPiece = model.tokenizer().map(TokenizerGate::longestPiece).orElse(0);
        long charsPerToken = Math.max(MIN_CHARS_PER_TOKEN, 2L * longestPiece);
        return new TokenizerGate(concurrency, model.maxModelLen() * charsPerToken, model.maxModelLen(), model.maxModelLen());
    }

    private static int longestPiece(Tokenizer t) {
        int longest = 0;
        for (int id = 0; id < t.vocabSize(); id++) {
            String piece = t.tokenPiece(id);
            if (piece != null) longest = Math.max(longest, piece.length());
        }
        return longest;
    }

    /** Characters a text may have. */
    public long maxChars() {
        return maxChars;
    }

    /** {@code tokenizer} with the bounds; {@code param} names the request field in errors. */
    public Tokenizer guard(Tokenizer tokenizer, String param) {
        return new Bounded(tokenizer, param);
    }

    private final class Bounded implements Tokenizer {
        private final Tokenizer t;
        private final String param;

        Bounded(Tokenizer t, String param) {
            this.t = t;
            this.param = param;
        }

        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            if (text.length() > maxChars) {
                throw ApiException.tooLarge(param, "The '" + param + "' text is " + text.length() + " characters long; "
                        + "this model's context of " + contextTokens + " tokens can hold at most " + maxChars
                        + " characters, and longer texts are not tokenized.");
            }
            acquire();
            try {
                return t.encode(text, addSpecialTokens);
            } finally {
                permits.release();
            }
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            if (ids.length > maxIds) {
                throw ApiException.tooLarge(param, "'" + param + "' has " + ids.length + " ids; at most " + maxIds
                        + " (this model's context) are decoded.");
            }
            return t.decode(ids, skipSpecialTokens);
        }

        private void acquire() {
            try {
                if (!permits.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) throw ApiException.busy("every tokenizer slot is taken");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.busy("interrupted while waiting for the tokenizer");
            }
        }

        @Override public int vocabSize() { return t.vocabSize(); }
        @Override public OptionalInt bosTokenId() { return t.bosTokenId(); }
        @Override public List<Integer> eosTokenIds() { return t.eosTokenIds(); }
        @Override public boolean isSpecial(int id) { return t.isSpecial(id); }
        @Override public String tokenPiece(int id) { return t.tokenPiece(id); }
        @Override public byte[] tokenBytes(int id) { return t.tokenBytes(id); }
        @Override public IncrementalDetokenizer newDetokenizer(boolean skipSpecialTokens) { return t.newDetokenizer(skipSpecialTokens); }
        @Override public TokenizerConfig config() { return t.config(); }
    }
}
