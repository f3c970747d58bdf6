package dev.pagoda.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.config.HfConfigReader;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.config.RopeScaling;
import dev.pagoda.catalog.gguf.HfToGguf;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.cpu.CpuKvCache;
import dev.pagoda.engine.cpu.KvCacheShape;
import dev.pagoda.engine.cpu.LinearKernels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.backend.cpu.CpuModel;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.model.ModelOptions;
import dev.pagoda.engine.testing.F32;
import dev.pagoda.engine.testing.FixtureWeights;
import dev.pagoda.engine.testing.ReferenceLlama;
import dev.pagoda.engine.testing.Workers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits through the whole load path and the production linear kernels — an HF folder written by {@link TestModels}, and the same
 * model converted to an F32 GGUF file — against {@link ReferenceLlama} fed the generator's own
 * values and the HF config. The GGUF of the Llama fixture carries its llama3 RoPE scaling only as
 * {@code rope_freqs.weight}, so equal logits there show those factors are applied.
 */
@ExtendWith(Workers.class)
class ModelLoaderLogitsTest {

    private static final double TOLERANCE = 1e-4;
    private static final int TOKENS = 40; // past the Llama fixture's original context of 64 / 4 = 16 high-frequency wavelength

    static Stream<TestModels.Variant> variants() {
        return TestModels.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void hfFolderAndGgufFileGiveTheReferenceLogits(TestModels.Variant variant, Parallel parallel, @TempDir Path tmp)
            throws IOException {
        Path folder = TestModels.write(variant, tmp.resolve(variant.name()));
        Path gguf = tmp.resolve(variant.name() + ".gguf");
        HfToGguf.convertFolder(folder, new HfToGguf.Options(DType.F32, variant.name()), gguf);
        ModelSpec hfSpec = HfConfigReader.readFolder(folder);
        int[] tokens = new Random(variant.seed() * 31 + variant.architecture().ordinal()).ints(TOKENS, 0, hfSpec.vocabSize()).toArray();
        double[][] expected = new ReferenceLlama(new FixtureWeights(variant, hfSpec)).logits(tokens);

        ModelLoader loader = new ModelLoader(parallel);
        for (Path source : new Path[] {folder, gguf}) {
            try (LoadedModel model = loader.load(source.toString(), LoadFormat.AUTO, s -> DType.F32, 0)) {
                assertTrue(model.tokenizer().isPresent(), source + ": tokenizer");
                assertTrue(model.chatTemplates().isPresent(), source + ": chat template");
                if (source == gguf && hfSpec.ropeScaling() != null && hfSpec.ropeScaling().type() == RopeScaling.Type.LLAMA3) {
                    assertNull(model.spec().ropeScaling(), "GGUF keeps llama3 scaling in rope_freqs, not metadata");
                    assertTrue(model.weights().has("rope_freqs.weight"));
                }
                float[][] actual = logits(model, tokens, parallel);
                for (int t = 0; t < tokens.length; t++) {
                    double diff = F32.maxAbsDiff(actual[t], expected[t]);
                    assertTrue(diff <= TOLERANCE, source.getFileName() + " position " + t + ": max |Δ| = " + diff);
                }
            }
        }
    }

    /** One prefill of the whole sequence through the paged model, block size 16, every row's logits. */
    private static float[][] logits(LoadedModel loaded, int[] tokens, Parallel parallel) {
        int n = tokens.length;
        int blockSize = 16;
        int blocks = Math.ceilDiv(n, blockSize);
        try (CpuModel model = CpuModel.load(loaded.weights(), Architectures::create, w -> LinearKernels.create(w, parallel, n), new ModelOptions(n, 64), parallel);
             CpuKvCache cache = new CpuKvCache(KvCacheShape.forModel(loaded.spec(), blocks + 2, blockSize));
             Arena arena = Arena.ofShared()) { // the kernels write logits from worker threads
            int[] positions = new int[n];
            int[] slots = new int[n];
            int[] table = new int[blocks];
            for (int b = 0; b < blocks; b++) table[b] = blocks + 1 - b; // not the identity: slots go through the table
            for (int i = 0; i < n; i++) {
                positions[i] = i;
                slots[i] = table[i / blockSize] * blockSize + i % blockSize;
            }
            int[] rows = new int[n];
            Arrays.setAll(rows, i -> i);
            ForwardBatch batch = new ForwardBatch(tokens, positions, slots, new int[] {0, n}, new int[] {n}, new int[][] {table}, rows);
            int vocab = model.vocabSize();
            MemorySegment out = F32.zeros(arena, (long) n * vocab);
            model.forward(batch, cache, out);
            float[] flat = F32.read(out, (long) n * vocab);
            float[][] result = new float[n][];
            for (int r = 0; r < n; r++) result[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
            assertEquals(n, result.length);
            return result;
        }
    }
}
