package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.sample.SamplerVocab;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.structured.StructuredOutputCompiler;
import dev.pagoda.engine.structured.mask.TokenVocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA runner's structured-output path without a GPU, over {@link FakeDeviceExecutor}:
 * device rows carry their grammar's token mask and the (fake) device draws only allowed tokens;
 * rows sampled on the host (logprobs) are masked by the CPU sampler; every finished output
 * satisfies its constraint; and no step is launched while a step with masked rows is still
 * running (the next masks depend on its tokens), although the loop is asynchronous.
 */
class StructuredOutputFakeDeviceTest {

    @Test
    void deviceRowsDrawOnlyAllowedTokensAndNoStepRunsAheadOfAMaskedOne(@TempDir Path tmp) throws InterruptedException {
        Path folder = EngineHarness.writeFixture(tmp);
        Tokenizer tokenizer = Tokenizers.load(folder);
        int vocab = TestModels.tokenizer().size();
        Set<Integer> eos = new LinkedHashSet<>(tokenizer.eosTokenIds());
        eos.addAll(HfConfigReader.readFolder(folder).eosTokenIds());
        List<Integer> eosIds = List.copyOf(eos);
        SamplerVocab samplerVocab = new SamplerVocab(vocab, eosIds,
                new StructuredOutputCompiler(() -> TokenVocabulary.of(tokenizer, vocab, eosIds), 8));
        FakeDeviceExecutor device = new FakeDeviceExecutor(vocab, 64);
        List<StructuredOutputEngineTest.Case> cases = StructuredOutputEngineTest.cases();
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).maxModelLen(512).build(), device.replacingCpuRunner(samplerVocab))) {
            Random random = new Random(4);
            List<RequestStream> streams = new ArrayList<>();
            for (int i = 0; i < cases.size() * 2; i++) {
                boolean host = i % 2 == 1; // logprobs: sampled on the host from the device's logits
                SamplingParams p = SamplingParams.builder().structuredOutput(cases.get(i / 2).constraint()).maxTokens(300).temperature(0)
                        .logprobs(host ? 1 : null).build();
                streams.add(engine.submit(EngineHarness.request("r" + i, random.ints(1 + random.nextInt(10), 0, vocab - 8).toArray(), p)));
            }
            int stopped = 0;
            for (int i = 0; i < streams.size(); i++) {
                EngineHarness.Result r = EngineHarness.collect(streams.get(i), 1);
                assertNull(r.last().error(), "request " + i);
                if (r.reasons().get(0) != FinishReason.STOP) continue;
                assertTrue(cases.get(i / 2).valid().test(r.texts().get(0)), "request " + i + " under " + cases.get(i / 2).constraint() + ": " + r.texts().get(0));
                stopped++;
            }
            assertTrue(stopped >= cases.size(), stopped + " of " + streams.size() + " outputs ended by their grammar");
        }
        assertTrue(device.maskedRows > 0, "device rows carried token masks");
        assertEquals(0, device.launchesAheadOfAMaskedStep, "steps launched before a step with masked rows was awaited");
    }
}
