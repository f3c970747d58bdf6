package dev.pagoda.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.core.EngineConfig;
import dev.pagoda.engine.cuda.CudaDevice;
import org.junit.jupiter.api.Test;

/** {@code --device}: auto takes CUDA exactly when it is usable; an explicit cuda where it is not says why. */
class DeviceResolutionTest {

    @Test
    void autoFollowsAvailability() {
        String expected = CudaDevice.unavailableReason().isPresent() ? "cpu" : "cuda:0";
        assertEquals(expected, CudaBackend.resolveDevice("auto"));
        assertEquals("cpu", CudaBackend.resolveDevice("cpu"));
    }

    @Test
    void explicitCudaWithoutAGpuNamesTheReason() {
        CudaDevice.unavailableReason().ifPresentOrElse(reason -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackend.resolveDevice("cuda"));
            assertTrue(e.getMessage().contains(reason) && e.getMessage().contains("--device cpu"), e.getMessage());
        }, () -> assertEquals("cuda:0", CudaBackend.resolveDevice("cuda")));
    }

    @Test
    void resolvedNamesGiveTheirOrdinal() {
        assertEquals(0, CudaDevice.ordinalOf("cuda:0"));
        assertEquals(3, CudaDevice.ordinalOf("cuda:3"));
        assertThrows(IllegalArgumentException.class, () -> CudaDevice.ordinalOf("cpu"));
    }

    @Test
    void configAcceptsAutoAndRejectsOthers() {
        assertEquals("auto", EngineConfig.builder("m").device("auto").build().device());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineConfig.builder("m").device("gpu").build());
        assertTrue(e.getMessage().contains("auto, cpu, cuda or cuda:N"), e.getMessage());
    }

    @Test
    void gpuKvCapacityIsWhatUtilizationLeaves() {
        EngineConfig config = EngineConfig.builder("llama3-8b").gpuMemoryUtilization(0.9).maxNumSeqs(256).build();
        long total = 80L << 30;
        long inUse = 18L << 30;
        long perBlock = 2L * 32 * 16 * 1024 * 2; // K and V, 32 layers, 16 tokens, 8 KV heads x 128 dims, bf16
        KvCapacity c = KvCapacity.forCuda(config.backendConfig(8192), total, inUse, total, perBlock);
        assertEquals((long) (0.9 * total - inUse) / perBlock, c.numBlocks());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvCapacity.forCuda(config.backendConfig(8192), total, (long) (0.9 * total), total, perBlock));
        assertTrue(e.getMessage().contains("--gpu-memory-utilization"), e.getMessage());
        // short contexts: the GPU keeps every block the utilization leaves (vLLM), the CPU caps at what sequences can hold
        KvCapacity shortContexts = KvCapacity.forCuda(config.toBuilder().maxNumSeqs(4).build().backendConfig(256), total, inUse, total,
                perBlock);
        assertEquals((long) (0.9 * total - inUse) / perBlock, shortContexts.numBlocks());
    }
}
