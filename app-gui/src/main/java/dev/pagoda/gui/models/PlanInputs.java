package dev.pagoda.gui.models;

/**
 * What the memory planner is asked on this machine: the CPU engine holds its KV cache in the
 * memory it is given ({@code --kv-cache-memory}) beside the weights, all in RAM.
 *
 * @param ramBytes     physical memory of the machine
 * @param kvCacheBytes the KV cache the Server tab gives the engine
 * @param blockSize    tokens per KV block
 * @param maxModelLen  the context C that sequences are counted for; null for each model's own context length
 */
public record PlanInputs(long ramBytes, long kvCacheBytes, int blockSize, Integer maxModelLen) {
    public PlanInputs {
        if (ramBytes < 1) throw new IllegalArgumentException("RAM must be positive, got " + ramBytes + " bytes");
        if (kvCacheBytes < 1) throw new IllegalArgumentException("KV cache must be positive, got " + kvCacheBytes + " bytes");
        if (blockSize < 1) throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
        if (maxModelLen != null && maxModelLen < 1) throw new IllegalArgumentException("max model length must be at least 1, got " + maxModelLen);
    }

    /** Physical memory as the JVM's operating-system bean reports it. */
    public static long physicalMemoryBytes() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getTotalMemorySize();
        return Runtime.getRuntime().maxMemory();
    }
}
