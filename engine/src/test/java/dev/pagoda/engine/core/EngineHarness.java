package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.load.ModelLoader;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.TokenLogprobs;
import dev.pagoda.engine.backend.cpu.LinearFactory;
import dev.pagoda.engine.runner.ModelRunner;
import dev.pagoda.engine.sample.SamplingParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Starts {@link LocalEngine}s on the Llama fixture and collects what their streams deliver. */
final class EngineHarness {

    /** The production kernels: what the engine runs outside tests. */
    static final LinearFactory LINEARS = LinearKernels::create;

    private EngineHarness() {}

    static EngineConfig.Builder config(Path folder) {
        return EngineConfig.builder(folder.toString()).maxModelLen(128).kvCacheMemoryBytes(1L << 20).cpuThreads(2);
    }

    static Path writeFixture(Path dir) {
        return TestModels.write(TestModels.llama(), dir.resolve("llama"));
    }

    static LocalEngine start(EngineConfig config) {
        return start(config, UnaryOperator.identity());
    }

    static LocalEngine start(EngineConfig config, UnaryOperator<ModelRunner> wrapper) {
        // The loader's Parallel only fills dummy weights; real folders need none.
        var model = new ModelLoader(null).load(config.model(), LoadFormat.AUTO, s -> DType.F32, 0);
        return LocalEngine.start(config, model, LINEARS, wrapper);
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy(maxTokens).toBuilder().ignoreEos(true).build();
    }

    /** Everything one request's stream delivered, per sample. */
    record Result(List<List<Integer>> tokens, List<String> texts, List<FinishReason> reasons, List<Object> stopReasons,
                  StreamEvent last, List<TokenLogprobs> logprobs) {
        int[] tokens(int sample) {
            return tokens.get(sample).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static Result collect(RequestStream stream, int n) throws InterruptedException {
        List<List<Integer>> tokens = new ArrayList<>();
        List<StringBuilder> texts = new ArrayList<>();
        List<FinishReason> reasons = new ArrayList<>();
        List<Object> stops = new ArrayList<>();
        List<TokenLogprobs> logprobs = new ArrayList<>(); // of sample 0
        for (int i = 0; i < n; i++) {
            tokens.add(new ArrayList<>());
            texts.add(new StringBuilder());
            reasons.add(null);
            stops.add(null);
        }
        StreamEvent event;
        StreamEvent last = null;
        while ((event = stream.poll(Duration.ofMinutes(2))) != null) {
            for (SampleDelta d : event.deltas()) {
                for (int t : d.tokenIds()) tokens.get(d.index()).add(t);
                if (d.index() == 0) logprobs.addAll(d.logprobs());
                texts.get(d.index()).append(d.text());
                if (d.finishReason() != null) {
                    reasons.set(d.index(), d.finishReason());
                    stops.set(d.index(), d.stopReason());
                }
            }
            last = event;
            if (event.finished()) break;
        }
        assertNotNull(last, "no event from " + stream.requestId());
        return new Result(tokens, texts.stream().map(StringBuilder::toString).toList(), reasons, stops, last, logprobs);
    }

    static GenerationRequest request(String id, int[] prompt, SamplingParams params) {
        return new GenerationRequest(id, prompt, params);
    }
}
