package dev.pagoda.engine.backend.cuda;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaTimeline;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.backend.cuda.StepExecutor.RowSampling;
import dev.pagoda.engine.load.BuiltinShapes;
import dev.pagoda.engine.load.DummyWeights;
import dev.pagoda.engine.model.ForwardBatch;
import dev.pagoda.engine.model.arch.Architectures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Where a GPU step's time goes, per operation (GPU events between launches), for a built-in
 * shape with dummy weights: a decode step of B sequences at context C, eager and as a CUDA
 * graph, and a prefill step of P prompts of L tokens. Prints milliseconds per operation summed
 * over layers, and the weight-read floor for comparison.
 *
 * <p>Usage: {@code CudaStepProfile SHAPE B C P L} e.g. {@code llama3-8b 256 640 16 512}. The decode
 * attention kernel is the one {@code -Dpagoda.cuda.decodeKernel=legacy|v2} names, the prefill one
 * {@code -Dpagoda.cuda.prefillKernel=legacy|v2} (default v2 each); the header line says which ran,
 * so two runs compare them.
 */
public final class CudaStepProfile {

    public static void main(String[] args) {
        String shape = args.length > 0 ? args[0] : "llama3-8b";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int context = args.length > 2 ? Integer.parseInt(args[2]) : 640;
        int prompts = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int promptLen = args.length > 4 ? Integer.parseInt(args[4]) : 512;
        ModelSpec spec = BuiltinShapes.byName(shape);
        int blockSize = 16;
        int maxModelLen = Math.max(context, promptLen) + blockSize;
        int blocksPerSeq = Math.ceilDiv(maxModelLen, blockSize);
        int maxSeqs = Math.max(batch, prompts);
        int maxTokens = Math.max(8192, prompts * promptLen);
        try (Parallel parallel = new Parallel(Runtime.getRuntime().availableProcessors());
             DummyWeights source = new DummyWeights(spec, DType.BF16, 0, parallel);
             CudaDevice device = CudaDevice.open(0);
             CudaKernels kernels = CudaKernels.load(device);
             Cublas blas = new Cublas(device);
             CudaModel llama = new CudaModel(device, kernels, blas, source, Architectures::create,
                     new CudaModel.Limits(maxTokens, maxSeqs, maxModelLen, blockSize, 4));
             CudaTimeline timeline = new CudaTimeline()) {
            int numBlocks = maxSeqs * blocksPerSeq;
            llama.allocateKvCache(numBlocks);
            double bandwidth = dev.pagoda.engine.cuda.CudaBandwidth.copyBytesPerSecond(device, 2L << 30);
            System.out.printf(Locale.ROOT, "%s on %s, weights %.2f GiB; copy bandwidth %.2f TB/s (read + write): weight-read floor %.3f ms per decode step%n",
                    shape, device.describe(), llama.weightBytes() / 1073741824.0, bandwidth / 1e12, llama.weightBytes() / bandwidth * 1e3);
            System.out.printf(Locale.ROOT, "decode attention kernel: %s (-D%s); K/V bytes a decode step reads per layer at B=%d C=%d: %.1f MB%n",
                    kernels.decodeKernel().propertyValue(), dev.pagoda.engine.cuda.kernels.DecodeKernelChoice.PROPERTY, batch, context,
                    kvBytesPerLayer(spec, batch, context) / 1e6);
            System.out.printf(Locale.ROOT, "prefill attention kernel: %s (-D%s)%n", kernels.prefillKernel().propertyValue(),
                    dev.pagoda.engine.cuda.kernels.PrefillKernelChoice.PROPERTY);
            try (CudaStepExecutor executor = new CudaStepExecutor(llama, true)) {
                Random random = new Random(1);
                List<Integer> free = new ArrayList<>();
                for (int b = 0; b < numBlocks; b++) free.add(b);
                Collections.shuffle(free, random);
                ForwardBatch prefill = batchOf(prompts, promptLen, promptLen, blockSize, free, spec.vocabSize(), random);
                Map<String, Double> prefillMs = report("prefill " + prompts + " x " + promptLen, executor, prefill, timeline, false, 3);
                double prefillAttentionMs = prefillMs.getOrDefault("attention_prefill", Double.NaN);
                // QK^T and PV over the keys the causal mask leaves each row: 4 headDim FLOPs per (row, key, head)
                double causalFlops = 4.0 * spec.headDim() * spec.numHeads() * prompts * promptLen * (promptLen + 1) / 2.0 * spec.numLayers();
                System.out.printf(Locale.ROOT, "prefill attention (%s): %.3f ms per step, %.3f ms per layer, %.1f TFLOP/s causal%n",
                        kernels.prefillKernel().propertyValue(), prefillAttentionMs, prefillAttentionMs / spec.numLayers(),
                        causalFlops / (prefillAttentionMs * 1e-3) / 1e12);
                Collections.shuffle(free, random);
                ForwardBatch decode = batchOf(batch, context, 1, blockSize, free, spec.vocabSize(), random);
                Map<String, Double> eager = report("decode B=" + batch + " C=" + context + " eager", executor, decode, timeline, false, 5);
                double attentionMs = eager.getOrDefault("attention_decode", Double.NaN);
                System.out.printf(Locale.ROOT, "decode attention (%s): %.3f ms per step, %.3f ms per layer, %.2f TB/s of K/V read%n",
                        kernels.decodeKernel().propertyValue(), attentionMs, attentionMs / spec.numLayers(),
                        kvBytesPerLayer(spec, batch, context) * spec.numLayers() / (attentionMs * 1e-3) / 1e12);
                report("decode B=" + batch + " C=" + context + " graph", executor, decode, timeline, true, 5);
                ForwardBatch single = batchOf(1, context, 1, blockSize, free, spec.vocabSize(), random);
                report("decode B=1 C=" + context + " graph", executor, single, timeline, true, 10);
            }
        }
    }

    /** Prints the mean milliseconds per label over {@code iters} runs after a warm-up, and returns them. */
    private static Map<String, Double> report(String what, CudaStepExecutor executor, ForwardBatch batch, CudaTimeline timeline, boolean graphed,
                               int iters) {
        RowSampling[] rows = new RowSampling[batch.logitRows().length];
        Arrays.fill(rows, new RowSampling(1f, 0, 1f, 0f, 42L, 0, false));
        Map<String, Double> sum = null;
        long wall = 0;
        for (int i = 0; i <= iters; i++) {
            timeline.reset();
            long t0 = System.nanoTime();
            executor.profile(batch, rows, timeline, graphed);
            long t1 = System.nanoTime();
            Map<String, Double> ms = timeline.millisByLabel();
            if (i == 0) continue; // warm-up
            wall += t1 - t0;
            if (sum == null) sum = ms;
            else for (var e : ms.entrySet()) sum.merge(e.getKey(), e.getValue(), Double::sum);
        }
        double total = sum.values().stream().mapToDouble(Double::doubleValue).sum() / iters;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-32s GPU %8.3f ms  host+GPU %8.3f ms |", what, total,
                wall / 1e6 / iters));
        for (var e : sum.entrySet()) line.append(String.format(Locale.ROOT, " %s %.3f", e.getKey(), e.getValue() / iters));
        System.out.println(line);
        Map<String, Double> mean = new java.util.TreeMap<>();
        for (var e : sum.entrySet()) mean.put(e.getKey(), e.getValue() / iters);
        return mean;
    }

    /** Bytes of K and V (bf16) that attention over {@code seqs} sequences of {@code context} tokens reads in one layer. */
    private static double kvBytesPerLayer(ModelSpec spec, int seqs, int context) {
        return 2.0 * seqs * context * spec.numKvHeads() * spec.headDim() * 2;
    }

    /** {@code seqs} sequences with {@code context} tokens after this step, the last {@code query} of them computed now. */
    private static ForwardBatch batchOf(int seqs, int context, int query, int blockSize, List<Integer> free, int vocab, Random random) {
        int t = seqs * query;
        int[] tokens = new int[t];
        int[] positions = new int[t];
        int[] slots = new int[t];
        int[] queryStart = new int[seqs + 1];
        int[] contextLens = new int[seqs];
        int[][] tables = new int[seqs][];
        int[] logitRows = new int[seqs];
        int next = 0;
        for (int s = 0; s < seqs; s++) {
            int[] table = new int[Math.ceilDiv(context, blockSize)];
            for (int b = 0; b < table.length; b++) table[b] = free.get(next++ % free.size());
            tables[s] = table;
            contextLens[s] = context;
            queryStart[s] = s * query;
            for (int i = 0; i < query; i++) {
                int row = s * query + i;
                int pos = context - query + i;
                tokens[row] = random.nextInt(vocab);
                positions[row] = pos;
                slots[row] = table[pos / blockSize] * blockSize + pos % blockSize;
            }
            logitRows[s] = s * query + query - 1;
        }
        queryStart[seqs] = t;
        return new ForwardBatch(tokens, positions, slots, queryStart, contextLens, tables, logitRows);
    }
}
