package dev.pagoda.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.engine.backend.cuda.CudaModel;
import dev.pagoda.engine.backend.cuda.CudaStepExecutor;
import dev.pagoda.engine.backend.cuda.StepExecutor;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaTestDevice;
import dev.pagoda.engine.cuda.RequiresCuda;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.model.PagedSequences.Chunk;
import dev.pagoda.engine.model.PagedSequences.Seq;
import dev.pagoda.engine.model.arch.Architectures;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Llama family on the CUDA backend (bf16) against transformers' float32 logits on the tiny
 * models transformers built ({@link TransformersFixtures}): each sequence a paged prefill of its
 * first half (prefill attention, eager) then one-token decodes (decode attention; the first decode
 * is captured into a CUDA graph, the rest replay it). Where transformers' best two tokens are at
 * least 0.25 apart the GPU's argmax must be the same at 99% of positions (the bound); the
 * largest log-probability difference is printed. GPU machine only.
 */
@RequiresCuda
class CudaTransformersParityTest {

    private static final double CLEAR_MARGIN = 0.25;

    private static CudaDevice device;
    private static CudaKernels kernels;
    private static Cublas blas;

    @BeforeAll
    static void open() {
        device = CudaTestDevice.openOrNull();
        if (device == null) return;
        kernels = CudaKernels.load(device);
        blas = new Cublas(device);
    }

    @AfterAll
    static void close() {
        if (blas != null) blas.close();
        if (kernels != null) kernels.close();
        if (device != null) device.close();
    }

    static List<String> fixtures() {
        return TransformersFixtures.NAMES;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void cudaArgmaxesAgreeWithTransformers(String name) {
        try (HfWeightSource weights = HfWeightSource.open(TransformersFixtures.folder(name));
             CudaModel model = new CudaModel(device, kernels, blas, weights, Architectures::create, new CudaModel.Limits(32, 32, 64, 16, 4))) {
            model.allocateKvCache(16);
            int vocab = model.vocabSize();
            int clear = 0;
            int agree = 0;
            double worst = 0;
            try (CudaStepExecutor executor = new CudaStepExecutor(model, true)) {
                for (TransformersFixtures.Sequence s : TransformersFixtures.sequences(name, vocab)) {
                    PagedSequences paged = new PagedSequences(16, 16, new Random(s.ids().length));
                    Seq seq = new Seq(s.ids());
                    int position = 0;
                    for (int count = s.ids().length / 2; position < s.ids().length; position += count, count = 1) {
                        ForwardBatch batch = paged.step(List.of(new Chunk(seq, count)));
                        int[] last = {batch.numTokens() - 1};
                        ForwardBatch sampled = new ForwardBatch(batch.tokenIds(), batch.positions(), batch.slotMapping(), batch.queryStart(),
                                batch.contextLens(), batch.blockTables(), last);
                        StepExecutor.Result result = executor.run(sampled, List.of(), new RowSampling[] {new RowSampling(0f, 0, 1f, 0f, 0L, 0, true)});
                        MemorySegment row = result.logits(0);
                        float[] ours = new float[vocab];
                        for (int v = 0; v < vocab; v++) ours[v] = row.getAtIndex(ValueLayout.JAVA_FLOAT, v);
                        float[] theirs = s.logits()[position + count - 1];
                        double[] a = TransformersFixtures.logSoftmax(ours);
                        double[] b = TransformersFixtures.logSoftmax(theirs);
                        for (int v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(a[v] - b[v]));
                        int[] order = order(theirs);
                        if (theirs[order[0]] - theirs[order[1]] >= CLEAR_MARGIN) {
                            clear++;
                            if (argmax(ours) == order[0]) agree++;
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s: CUDA bf16 top-1 = transformers at %d of %d clear positions; max |Δ logprob| %.3f%n",
                    name, agree, clear, worst);
            assertTrue(clear > 0, name + ": no position with a clear best token");
            assertTrue(agree >= Math.ceil(0.99 * clear), name + ": top-1 agrees at " + agree + " of " + clear + " clear positions");
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Indices of the two largest values, best first. */
    private static int[] order(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> Float.compare(v[y], v[x]));
        return new int[] {idx[0], idx[1]};
    }
}
