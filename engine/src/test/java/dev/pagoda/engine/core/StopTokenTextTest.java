package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.FinishReason;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token that ends a sample (EOS, or one of {@code stop_token_ids}) stays in its token ids but is
 * not part of its text, as vLLM's detokenizer leaves it out; {@code include_stop_str_in_output} puts
 * it back. Seen with special tokens kept ({@code skip_special_tokens: false}, which a tool-call parser
 * whose markers are special tokens needs): no {@code <|eot_id|>} at the end of the answer.
 */
class StopTokenTextTest {

    @Test
    void theStoppingTokenIsNotText(@TempDir Path tmp) throws InterruptedException {
        int[] prompt = new Random(3).ints(10, 0, TestModels.tokenizer().size() - 8).toArray();
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(EngineHarness.writeFixture(tmp)).build())) {
            Tokenizer tokenizer = engine.model().tokenizer().orElseThrow();
            int[] free = EngineHarness.collect(engine.submit(EngineHarness.request("free", prompt, EngineHarness.greedy(16))), 1).tokens(0);
            int at = 5;
            int stopId = free[at];
            int first = 0;
            while (free[first] != stopId) first++;

            var stopped = EngineHarness.collect(engine.submit(EngineHarness.request("stop", prompt,
                    EngineHarness.greedy(16).toBuilder().stopTokenIds(List.of(stopId)).build())), 1);
            assertArrayEquals(Arrays.copyOf(free, first + 1), stopped.tokens(0), "the stop token stays in the ids");
            assertEquals(tokenizer.decode(Arrays.copyOf(free, first), true), stopped.texts().get(0), "... but not in the text");
            assertEquals(stopId, stopped.stopReasons().get(0));

            var kept = EngineHarness.collect(engine.submit(EngineHarness.request("kept", prompt,
                    EngineHarness.greedy(16).toBuilder().stopTokenIds(List.of(stopId)).includeStopStrInOutput(true).build())), 1);
            assertEquals(tokenizer.decode(Arrays.copyOf(free, first + 1), true), kept.texts().get(0));

            // EOS, pushed to win once min_tokens allows it, with special tokens kept in the text.
            int eos = tokenizer.eosTokenIds().getFirst();
            var eosStop = EngineHarness.collect(engine.submit(EngineHarness.request("eos", prompt,
                    dev.pagoda.engine.sample.SamplingParams.greedy(16).toBuilder().minTokens(3).logitBias(Map.of(eos, 100f))
                            .skipSpecialTokens(false).build())), 1);
            int[] ids = eosStop.tokens(0);
            assertEquals(4, ids.length, Arrays.toString(ids));
            assertEquals(eos, ids[3]);
            assertEquals(FinishReason.STOP, eosStop.reasons().get(0));
            String text = eosStop.texts().get(0);
            assertEquals(tokenizer.decode(Arrays.copyOf(ids, 3), false), text);
            String eosText = tokenizer.decode(new int[] {eos}, false);
            assertTrue(!eosText.isEmpty(), "the EOS token has text when special tokens are kept");
            assertFalse(text.endsWith(eosText), text);
        }
    }
}
