package dev.pagoda.engine.structured;

import dev.pagoda.engine.structured.automaton.PdaMatcher;
import dev.pagoda.engine.structured.mask.MaskFiller;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import java.util.Arrays;

/**
 * One output's position in a {@link CompiledGrammar}: which tokens may come next
 * ({@link #fillMask}), advancing by each token sampled ({@link #accept}), and taking tokens back
 * ({@link #rollback}). An end token (EOS, or a stop token id of the request) is allowed exactly
 * where the grammar may end and is the only token left where it must; accepting one terminates
 * the matcher, after which only end tokens are allowed (so {@code ignore_eos} goes on emitting
 * them). Special tokens are never allowed as text. Not thread-safe.
 */
public final class GrammarMatcher {

    private static final byte CHUNK = 0;      // a token read as bytes
    private static final byte END = 1;        // the end token that terminated the output
    private static final byte AFTER_END = 2;  // an end token after termination

    private final CompiledGrammar grammar;
    private final TokenVocabulary vocab;
    private final PdaMatcher pda;
    private final MaskFiller filler;
    private final int[] endTokens;
    private byte[] kinds = new byte[64]; // (accepted tokens) what each accepted token was
    private int accepted;

    GrammarMatcher(CompiledGrammar grammar, int[] extraEndTokens) {
        this.grammar = grammar;
        this.vocab = grammar.vocabulary();
        this.pda = new PdaMatcher(grammar.automaton());
        this.filler = new MaskFiller(grammar.tables(), grammar.trie(), pda.stepper());
        int[] ends = vocab.endTokens();
        int[] all = Arrays.copyOf(ends, ends.length + extraEndTokens.length);
        System.arraycopy(extraEndTokens, 0, all, ends.length, extraEndTokens.length);
        for (int id : all) if (id < 0 || id >= vocab.size()) throw new IllegalArgumentException("end token " + id + " outside the vocabulary");
        this.endTokens = Arrays.stream(all).distinct().toArray();
    }

    public CompiledGrammar grammar() {
        return grammar;
    }

    /** An end token has been accepted: the output is complete. */
    public boolean isTerminated() {
        return accepted > 0 && kinds[accepted - 1] != CHUNK;
    }

    /** The output may end here (an end token is allowed). */
    public boolean canEnd() {
        return isTerminated() || pda.canEnd();
    }

    /** Only an end token is allowed: the grammar is complete and nothing may be added. */
    public boolean mustEnd() {
        return isTerminated() || (pda.canEnd() && !pda.canContinue());
    }

    /** Tokens accepted so far (end tokens included). */
    public int acceptedTokens() {
        return accepted;
    }

    private boolean isEnd(int token) {
        for (int e : endTokens) if (e == token) return true;
        return false;
    }

    /**
     * Advances by {@code token} if the grammar allows it here; otherwise leaves the matcher as it
     * was and returns false.
     */
    public boolean accept(int token) {
        if (token < 0 || token >= vocab.size()) return false;
        if (isTerminated()) {
            if (!isEnd(token)) return false;
            record(AFTER_END);
            return true;
        }
        byte[] bytes = vocab.bytes(token);
        if (bytes != null && pda.advance(bytes)) {
            record(CHUNK);
            return true;
        }
        if (isEnd(token) && pda.canEnd()) {
            record(END);
            return true;
        }
        return false;
    }

    /** Whether {@code token} would be accepted, leaving the matcher as it is (a naive check, for tests and asserts). */
    public boolean wouldAccept(int token) {
        if (!accept(token)) return false;
        rollback(1);
        return true;
    }

    /** Advances over raw text bytes (not a token): for tests and for forcing a prefix. */
    public boolean acceptBytes(byte[] bytes) {
        if (isTerminated() || !pda.advance(bytes)) return false;
        record(CHUNK);
        return true;
    }

    private void record(byte kind) {
        if (accepted == kinds.length) kinds = Arrays.copyOf(kinds, accepted * 2);
        kinds[accepted++] = kind;
    }

    /** Takes back the last {@code n} accepted tokens (speculative decoding's rejected drafts). */
    public void rollback(int n) {
        if (n < 0 || n > accepted) throw new IllegalArgumentException("cannot roll back " + n + " of " + accepted + " tokens");
        int chunks = 0;
        for (int i = accepted - n; i < accepted; i++) if (kinds[i] == CHUNK) chunks++;
        pda.rollback(chunks);
        accepted -= n;
    }

    /** Longs of a mask: one bit per vocabulary id. */
    public int maskWords() {
        return vocab.maskWords();
    }

    /** Fills {@code mask} (at least {@link #maskWords} longs) with the tokens allowed next: bit {@code id % 64} of word {@code id / 64}. */
    public void fillMask(long[] mask) {
        if (isTerminated()) {
            Arrays.fill(mask, 0, vocab.maskWords(), 0);
        } else {
            filler.fill(pda.current(), mask);
        }
        if (canEnd()) for (int e : endTokens) mask[e >>> 6] |= 1L << e;
    }
}
