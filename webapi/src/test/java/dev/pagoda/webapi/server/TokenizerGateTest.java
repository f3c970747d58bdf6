package dev.pagoda.webapi.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.webapi.testing.FixtureModel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The gate lets through at most its concurrency of encodes at once, and refuses texts over its bound before encoding. */
class TokenizerGateTest {

    @Test
    void atMostTheConcurrencyEncodeAtOnce() throws Exception {
        Tokenizer real = FixtureModel.info().tokenizer().orElseThrow();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Tokenizer counting = new CountingTokenizer(real, inside, most);
        TokenizerGate gate = new TokenizerGate(2, 10_000, 100, 100);
        Tokenizer guarded = gate.guard(counting, "prompt");
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<int[]>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) all.add(pool.submit(() -> guarded.encode("some text to tokenize", false)));
            for (Future<int[]> f : all) assertEquals(Arrays.toString(real.encode("some text to tokenize", false)), Arrays.toString(f.get()));
        }
        assertEquals(2, most.get(), "encodes at once");
        ApiException tooLong = assertThrows(ApiException.class, () -> guarded.encode("x".repeat(10_001), false));
        assertEquals(413, tooLong.status());
        assertEquals(0, inside.get());
    }

    /** Holds each encode a while so overlapping ones are seen. */
    private record CountingTokenizer(Tokenizer t, AtomicInteger inside, AtomicInteger most) implements Tokenizer {
        @Override public int[] encode(String text, boolean add) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
                return t.encode(text, add);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                inside.decrementAndGet();
            }
        }
        @Override public String decode(int[] ids, boolean skip) { return t.decode(ids, skip); }
        @Override public int vocabSize() { return t.vocabSize(); }
        @Override public java.util.OptionalInt bosTokenId() { return t.bosTokenId(); }
        @Override public List<Integer> eosTokenIds() { return t.eosTokenIds(); }
        @Override public boolean isSpecial(int id) { return t.isSpecial(id); }
        @Override public String tokenPiece(int id) { return t.tokenPiece(id); }
        @Override public byte[] tokenBytes(int id) { return t.tokenBytes(id); }
        @Override public dev.pagoda.catalog.tokenizer.TokenizerConfig config() { return t.config(); }
    }
}
