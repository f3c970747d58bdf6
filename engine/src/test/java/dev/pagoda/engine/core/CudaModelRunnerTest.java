package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.runner.CudaModelRunner;
import dev.pagoda.engine.sample.SamplingParams;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA runner's host side without a GPU: the engine drives {@link CudaModelRunner} over a
 * {@link FakeDeviceExecutor} whose greedy chain the test computes on its own. Which rows the host
 * samples, the seeds the device gets, and a bad row failing only its own request are checked.
 */
class CudaModelRunnerTest {

    private static Path folder;
    private static int vocab;

    @BeforeAll
    static void fixture(@TempDir Path tmp) {
        folder = EngineHarness.writeFixture(tmp);
        vocab = TestModels.tokenizer().size();
    }

    private record Engine(LocalEngine engine, FakeDeviceExecutor device) {}

    private static Engine start() {
        FakeDeviceExecutor device = new FakeDeviceExecutor(vocab, 256);
        LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).build(), device.replacingCpuRunner());
        return new Engine(engine, device);
    }

    private static int[] chain(int last, int n) {
        return FakeDeviceExecutor.chain(last, n, vocab);
    }

    @Test
    void greedyRowsAreSampledOnTheDeviceAndLogprobRowsOnTheHost() throws InterruptedException {
        Engine e = start();
        try (LocalEngine engine = e.engine()) {
            int[] prompt = new Random(2).ints(9, 0, vocab).toArray();
            SamplingParams greedy = EngineHarness.greedy(12);
            RequestStream device = engine.submit(EngineHarness.request("device", prompt, greedy));
            RequestStream host = engine.submit(EngineHarness.request("host", prompt, greedy.toBuilder().logprobs(1).build()));
            int[] expected = chain(prompt[prompt.length - 1], 12);
            assertArrayEquals(expected, EngineHarness.collect(device, 1).tokens(0));
            EngineHarness.Result h = EngineHarness.collect(host, 1);
            assertArrayEquals(expected, h.tokens(0));
            // logit[v] = -|v - best|: the chosen token's log-softmax, computed here independently
            double z = 0;
            for (int v = 0; v < vocab; v++) z += Math.exp(-Math.abs(v - expected[0]));
            TokenLogprobs first = h.logprobs().get(0);
            assertEquals(-Math.log(z), first.logprob(), 1e-4);
            boolean sawHost = false, sawDevice = false;
            for (RowSampling[] step : e.device().seen) {
                for (RowSampling r : step) {
                    sawHost |= r.hostLogits();
                    sawDevice |= !r.hostLogits();
                    if (!r.hostLogits()) assertEquals(0f, r.temperature(), "greedy rows reach the device as temperature 0");
                }
            }
            assertTrue(sawHost && sawDevice, "both paths used");
        }
    }

    @Test
    void promptLogprobRowsComeBackAsHostLogitsAfterTheSampledRows() throws InterruptedException {
        Engine e = start();
        try (LocalEngine engine = e.engine()) {
            int[] prompt = new Random(5).ints(20, 0, vocab).toArray();
            RequestStream scored = engine.submit(EngineHarness.request("scored", prompt,
                    EngineHarness.greedy(4).toBuilder().promptLogprobs(2).build()));
            RequestStream plain = engine.submit(EngineHarness.request("plain", prompt, EngineHarness.greedy(4)));
            java.util.List<TokenLogprobs> lps = new java.util.ArrayList<>();
            dev.pagoda.engine.api.StreamEvent ev;
            while ((ev = scored.poll(java.time.Duration.ofMinutes(1))) != null) {
                lps.addAll(ev.promptLogprobs());
                if (ev.finished()) break;
            }
            assertArrayEquals(chain(prompt[prompt.length - 1], 4), EngineHarness.collect(plain, 1).tokens(0));
            assertEquals(prompt.length - 1, lps.size());
            for (int pos = 1; pos < prompt.length; pos++) {
                // the fake's row for token t has logit[v] = -|v - next(t)|: its log-softmax, computed here
                int best = FakeDeviceExecutor.next(prompt[pos - 1], vocab);
                double z = 0;
                for (int v = 0; v < vocab; v++) z += Math.exp(-Math.abs(v - best));
                assertEquals(-Math.abs(prompt[pos] - best) - Math.log(z), lps.get(pos - 1).logprob(), 1e-4, "position " + pos);
                assertEquals(best, lps.get(pos - 1).topTokenIds()[0], "position " + pos);
            }
        }
    }

    @Test
    void deviceSeedsComeFromEachRequestsOwnGenerator() throws InterruptedException {
        SamplingParams seeded = SamplingParams.builder().temperature(0.8).topP(0.9).seed(77L).maxTokens(5).ignoreEos(true).build();
        long[][] seeds = new long[2][];
        for (int run = 0; run < 2; run++) {
            Engine e = start();
            try (LocalEngine engine = e.engine()) {
                if (run == 1) engine.submit(EngineHarness.request("company", new int[] {5, 6, 7}, seeded.toBuilder().seed(3L).build()));
                EngineHarness.collect(engine.submit(EngineHarness.request("r", new int[] {1, 2, 3, 4}, seeded)), 1);
                seeds[run] = e.device().seen.stream().flatMap(Arrays::stream).filter(r -> r.topP() == 0.9f && r.temperature() == 0.8f)
                        .mapToLong(RowSampling::seed).distinct().toArray();
            }
        }
        // run 1 adds a request with another seed: request r's five seeds are among its rows, unchanged
        assertEquals(5, seeds[0].length);
        for (long s : seeds[0]) assertTrue(Arrays.stream(seeds[1]).anyMatch(x -> x == s), "seed " + s + " of r changed with company");
        assertNotEquals(seeds[0][0], seeds[0][1], "each token draws a fresh seed");
    }

    @Test
    void aBadRowFailsOnlyItsRequest() throws InterruptedException {
        Engine e = start();
        try (LocalEngine engine = e.engine()) {
            int[] good = {11, 12, 13};
            int[] bad = {21, 22, 23};
            e.device().poisonToken = 23; // the bad prompt's last token: its first sampled row is poisoned
            RequestStream okDevice = engine.submit(EngineHarness.request("ok", good, EngineHarness.greedy(6)));
            RequestStream badDevice = engine.submit(EngineHarness.request("bad-device", bad, EngineHarness.greedy(6)));
            RequestStream badHost = engine.submit(EngineHarness.request("bad-host", bad, EngineHarness.greedy(6).toBuilder().logprobs(1).build()));
            assertArrayEquals(chain(13, 6), EngineHarness.collect(okDevice, 1).tokens(0));
            assertEquals(FinishReason.ERROR, EngineHarness.collect(badDevice, 1).reasons().get(0));
            assertEquals(FinishReason.ERROR, EngineHarness.collect(badHost, 1).reasons().get(0));
            e.device().poisonToken = -1;
            assertArrayEquals(chain(13, 4), EngineHarness.collect(engine.submit(EngineHarness.request("after", good, EngineHarness.greedy(4))), 1)
                    .tokens(0), "the engine keeps serving");
        }
    }
}
