package dev.pagoda.catalog.plan;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import java.util.Objects;
import java.util.Set;

/**
 * What to plan for: a model, how its weights and KV cache are stored, and the memory it gets.
 *
 * @param spec          the model's shape
 * @param weightDType   F32, F16, BF16 (an HF checkpoint) or Q8_0, Q4_0, Q4_K, Q5_K, Q6_K (a GGUF file)
 * @param kvDType       F32, F16 or BF16
 * @param memoryBytes   the device's (or the host's share of) memory
 * @param utilization   fraction of {@code memoryBytes} Pagoda may use, in (0, 1] (vLLM's {@code gpu_memory_utilization})
 * @param blockSize     tokens per KV block
 * @param reserveBytes  kept back for activations, workspaces and runtime overhead
 */
public record MemoryPlanRequest(
        ModelSpec spec,
        DType weightDType,
        DType kvDType,
        long memoryBytes,
        double utilization,
        int blockSize,
        long reserveBytes) {

    private static final Set<DType> WEIGHT_DTYPES =
            Set.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K);
    private static final Set<DType> KV_DTYPES = Set.of(DType.F32, DType.F16, DType.BF16);

    public MemoryPlanRequest {
        Objects.requireNonNull(spec, "spec");
        checkWeightDType(weightDType);
        checkKvDType(kvDType);
        if (memoryBytes <= 0) throw new IllegalArgumentException("memory must be positive, got " + memoryBytes + " bytes");
        if (!(utilization > 0 && utilization <= 1)) {
            throw new IllegalArgumentException("utilization must be in (0, 1], got " + utilization);
        }
        if (blockSize < 1) throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
        if (reserveBytes < 0) throw new IllegalArgumentException("reserve must be non-negative, got " + reserveBytes + " bytes");
    }

    static void checkWeightDType(DType dtype) {
        if (!WEIGHT_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("weight dtype " + dtype
                    + " is not supported; use one of F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K");
        }
    }

    static void checkKvDType(DType dtype) {
        if (!KV_DTYPES.contains(dtype)) {
            throw new IllegalArgumentException("KV cache dtype " + dtype + " is not supported; use F32, F16 or BF16");
        }
    }
}
