package dev.pagoda.gui.models;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.plan.MemoryPlan;
import dev.pagoda.catalog.plan.MemoryPlanRequest;
import dev.pagoda.catalog.plan.MemoryPlanner;
import dev.pagoda.catalog.tensor.DType;
import java.util.Locale;
import java.util.Optional;

/**
 * The memory planner's answer for one model on this machine: "fits: N tokens of KV, M sequences at
 * context C".
 *
 * <p>On the CPU the KV cache gets exactly the memory configured for it, unless RAM runs out first:
 * the planner is asked with memory = min(RAM, weights + configured KV), all of it usable (the
 * engine takes what it is given, no utilization share), no reserve, and K/V in F32 as the CPU
 * engine stores them. So N is what the engine will allocate (before it caps the pool at what
 * max-num-seqs sequences can use), and "does not fit" means the weights alone exceed RAM.
 *
 * @param plan     the planner's numbers
 * @param context  C: the Server tab's max model length, else the model's context
 */
public record ModelFit(MemoryPlan plan, int context) {

    /** The K/V element type of the CPU engine's cache. */
    public static final DType CPU_KV_DTYPE = DType.F32;

    public static ModelFit plan(ModelSpec spec, DType weights, int modelContext, PlanInputs in) {
        long weightBytes = MemoryPlanner.weightBytes(spec, weights);
        long memory = Math.min(in.ramBytes(), weightBytes + in.kvCacheBytes());
        MemoryPlan plan = MemoryPlanner.plan(new MemoryPlanRequest(spec, weights, CPU_KV_DTYPE, memory, 1.0, in.blockSize(), 0));
        return new ModelFit(plan, in.maxModelLen() == null ? modelContext : in.maxModelLen());
    }

    /** Sequences of {@link #context} tokens the cache holds at once. */
    public long sequences() {
        return plan.maxConcurrentSequences(context);
    }

    /** The line the Models tab shows. */
    public String summary() {
        if (!plan.fits()) return plan.problem();
        return String.format(Locale.ROOT, "fits: %d tokens of KV, %d sequences at context %d on this device (weights %.2f GiB)",
                plan.maxCachedTokens(), sequences(), context, plan.weightBytes() / (1024.0 * 1024 * 1024));
    }

    /**
     * The planner's weight type for a discovered dtype name: safetensors names as they are, GGUF
     * file types by their base quantization (Q4_K_M -> Q4_K). Empty where the planner has no formula.
     */
    public static Optional<DType> weightDType(String discovered) {
        String d = discovered == null ? "" : discovered.toUpperCase(Locale.ROOT);
        for (String k : new String[] {"Q4_K", "Q5_K", "Q6_K"}) if (d.startsWith(k)) return Optional.of(DType.valueOf(k));
        return switch (d) {
            case "F32", "F16", "BF16", "Q8_0", "Q4_0" -> Optional.of(DType.valueOf(d));
            default -> Optional.empty();
        };
    }
}
