package dev.pagoda.engine.backend;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.plan.MemoryPlanner;
import dev.pagoda.catalog.tensor.DType;
import java.util.Locale;

/**
 * How many KV blocks the cache gets. On the CPU: the memory given divided by the bytes of one
 * block (MemoryPlanner's formula, K and V of every layer in f32), capped at what
 * {@code maxNumSeqs} sequences of {@code maxModelLen} tokens can ever hold, so a small model does
 * not zero gigabytes it can never use. On a GPU, as vLLM: everything the utilization leaves,
 * uncapped — blocks beyond what the running sequences hold keep finished prefixes cached.
 *
 * @param numBlocks     blocks in the pool
 * @param blockSize     tokens per block
 * @param bytesPerBlock K and V of all layers for one block
 * @param maxModelLen   the context length concurrency is counted for
 */
public record KvCapacity(int numBlocks, int blockSize, long bytesPerBlock, int maxModelLen) {

    private static final double GIB = 1024.0 * 1024 * 1024;

    public static KvCapacity forCpu(ModelSpec spec, BackendConfig config) {
        int maxModelLen = config.maxModelLen();
        long bytesPerBlock = MemoryPlanner.kvBytesPerToken(spec, DType.F32) * config.blockSize();
        long fit = config.kvCacheMemoryBytes() / bytesPerBlock;
        long blocksPerSequence = Math.ceilDiv(maxModelLen, config.blockSize());
        if (fit < blocksPerSequence) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--kv-cache-memory %d bytes holds %d blocks of %d tokens, but one sequence of --max-model-len %d needs %d"
                            + " (%.3f GiB); give the cache more memory or lower --max-model-len",
                    config.kvCacheMemoryBytes(), fit, config.blockSize(), maxModelLen, blocksPerSequence,
                    blocksPerSequence * bytesPerBlock / GIB));
        }
        return capped(fit, config, maxModelLen, bytesPerBlock);
    }

    /**
     * Blocks for a GPU: {@code utilization × deviceTotal − inUse} bytes (inUse: weights, activations,
     * workspaces and a reserve), never more than {@code freeNow}.
     */
    public static KvCapacity forCuda(BackendConfig config, long deviceTotal, long inUse, long freeNow, long bytesPerBlock) {
        int maxModelLen = config.maxModelLen();
        long budget = Math.min((long) (config.gpuMemoryUtilization() * deviceTotal) - inUse, freeNow);
        long fit = Math.max(0, budget / bytesPerBlock);
        long blocksPerSequence = Math.ceilDiv(maxModelLen, config.blockSize());
        if (fit < blocksPerSequence) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--gpu-memory-utilization %.2f leaves %.3f GiB for the KV cache after the model (%.3f GiB in use): %d blocks of %d "
                            + "tokens, but one sequence of --max-model-len %d needs %d; raise the utilization or lower --max-model-len",
                    config.gpuMemoryUtilization(), Math.max(0, budget) / GIB, inUse / GIB, fit, config.blockSize(), maxModelLen,
                    blocksPerSequence));
        }
        return new KvCapacity((int) Math.min(fit, Integer.MAX_VALUE - 1), config.blockSize(), bytesPerBlock, maxModelLen);
    }

    /** {@code fit} blocks, capped at what max-num-seqs sequences of max-model-len can ever hold. */
    private static KvCapacity capped(long fit, BackendConfig config, int maxModelLen, long bytesPerBlock) {
        long useful = Math.multiplyExact(Math.ceilDiv(maxModelLen, config.blockSize()), (long) config.maxNumSeqs());
        int numBlocks = Math.toIntExact(Math.min(Math.min(fit, useful), Integer.MAX_VALUE - 1));
        return new KvCapacity(numBlocks, config.blockSize(), bytesPerBlock, maxModelLen);
    }

    public long totalBytes() {
        return numBlocks * bytesPerBlock;
    }

    /** Sequences of maxModelLen tokens the pool holds at once (vLLM's "maximum concurrency"). */
    public double maxConcurrency() {
        return (double) numBlocks * blockSize / maxModelLen;
    }

    /** The start-up line, as vLLM logs it. */
    public String describe() {
        return String.format(Locale.ROOT, "KV cache: %d blocks of %d tokens (%.2f GiB); maximum concurrency for %d tokens per request: %.1fx",
                numBlocks, blockSize, totalBytes() / GIB, maxModelLen, maxConcurrency());
    }
}
