package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.backend.CudaBackend;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.load.CastWeights;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.load.ModelLoader;
import dev.pagoda.engine.sample.SamplingParams;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vLLM's engine flags as {@link LocalEngine} honours them: {@code --seed} (the default seed of
 * requests that bring none), {@code --dtype} (float weights held in another type on the CPU;
 * bfloat16 only on CUDA) and several served names.
 */
class EngineFlagsTest {

    private static Path f32;
    private static Path bf16;
    private static final int VOCAB = TestModels.tokenizer().size();

    @BeforeAll
    static void setUp(@TempDir Path tmp) {
        f32 = TestModels.write(TestModels.llama(), tmp.resolve("f32"));
        bf16 = TestModels.write(TestModels.llama().withDType(DType.BF16), tmp.resolve("bf16"));
    }

    private static SamplingParams sampled(Long seed) {
        return SamplingParams.builder().temperature(1.0).maxTokens(12).ignoreEos(true).seed(seed).build();
    }

    /** The tokens of three requests sent one after another to a fresh engine started with {@code --seed engineSeed}. */
    private static List<List<Integer>> run(long engineSeed, Long requestSeed) throws InterruptedException {
        List<List<Integer>> out = new ArrayList<>();
        try (LocalEngine engine = LocalEngine.start(EngineHarness.config(f32).seed(engineSeed).build())) {
            for (int i = 0; i < 3; i++) {
                int[] prompt = new Random(i).ints(5, 0, VOCAB).toArray();
                EngineHarness.Result r = EngineHarness.collect(engine.submit(EngineHarness.request("r" + i, prompt, sampled(requestSeed))), 1);
                out.add(r.tokens().getFirst());
            }
        }
        return out;
    }

    @Test
    void theEngineSeedMakesUnseededRequestsRepeatableAsInVllm() throws InterruptedException {
        List<List<Integer>> first = run(7, null);
        assertEquals(first, run(7, null), "a fresh engine with the same --seed samples the same requests alike");
        List<List<Integer>> other = run(8, null);
        for (int i = 0; i < 3; i++) assertFalse(first.get(i).equals(other.get(i)), "another --seed, other samples: request " + i);
        assertFalse(first.get(0).equals(first.get(1)) && first.get(1).equals(first.get(2)), "each request draws its own seed");
        assertEquals(run(7, 99L), run(8, 99L), "a request's own seed wins over the engine's");
    }

    @Test
    void dtypeCastsFloatWeightsOnTheCpuAsTorchRoundsThem() throws InterruptedException {
        // SyntheticModels writes the same seeded values in each dtype, rounding with its own code: an independent reference
        try (LoadedModel asStored = new ModelLoader(null).load(bf16.toString(), LoadFormat.AUTO, s -> DType.F32, 0);
             LocalEngine cast = LocalEngine.start(EngineHarness.config(f32).dtype("bfloat16").build());
             LocalEngine stored = LocalEngine.start(EngineHarness.config(bf16).build())) {
            assertEquals("BF16", cast.model().weightDtype());
            assertEquals("BF16", stored.model().weightDtype());
            for (String name : List.of("model.embed_tokens.weight", "model.layers.1.mlp.down_proj.weight", "model.norm.weight")) {
                TensorData expected = asStored.weights().tensor(name);
                try (LoadedModel f32Model = new ModelLoader(null).load(f32.toString(), LoadFormat.AUTO, s -> DType.F32, 0);
                     LoadedModel castModel = CastWeights.apply(f32Model, Optional.of(DType.BF16))) {
                    TensorData got = castModel.weights().tensor(name);
                    assertEquals(DType.BF16, got.dtype(), name);
                    assertArrayEquals(expected.data().toArray(ValueLayout.JAVA_BYTE), got.data().toArray(ValueLayout.JAVA_BYTE), name);
                }
            }
            int[] prompt = new Random(3).ints(6, 0, VOCAB).toArray();
            SamplingParams greedy = EngineHarness.greedy(8);
            assertArrayEquals(EngineHarness.collect(stored.submit(EngineHarness.request("a", prompt, greedy)), 1).tokens(0),
                    EngineHarness.collect(cast.submit(EngineHarness.request("a", prompt, greedy)), 1).tokens(0),
                    "an F32 checkpoint held in bf16 runs as the bf16 checkpoint");
        }
        try (LocalEngine up = LocalEngine.start(EngineHarness.config(bf16).dtype("float32").build())) {
            assertEquals("F32", up.model().weightDtype());
        }
    }

    @Test
    void cudaHoldsWeightsInBfloat16Only() {
        EngineConfig half = EngineHarness.config(f32).dtype("float16").device("cuda").build();
        // refused before any device is touched, so this runs without a GPU
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.create(null, half.backendConfig(128), "cuda:0", null));
        assertEquals("--dtype float16: the CUDA backend holds weights in bfloat16 (use --dtype auto or bfloat16 there, or --device cpu)",
                e.getMessage());
        assertEquals("--dtype must be auto, float32, float16 or bfloat16, got 'fp8'",
                assertThrows(IllegalArgumentException.class, () -> EngineHarness.config(f32).dtype("fp8").build()).getMessage());
    }

    @Test
    void everyServedNameIsKeptAndTheFirstIsReported() {
        try (LocalEngine engine = LocalEngine.start(EngineHarness.config(f32).servedModelNames(List.of("a", "b")).build())) {
            assertEquals("a", engine.model().servedName());
            assertEquals(List.of("a", "b"), engine.model().servedNames());
            assertTrue(engine.model().answersTo("b"));
            assertFalse(engine.model().answersTo("c"));
        }
        assertEquals("--served-model-name lists a name twice: [a, a]",
                assertThrows(IllegalArgumentException.class,
                        () -> EngineHarness.config(f32).servedModelNames(List.of("a", "a")).build()).getMessage());
    }
}
