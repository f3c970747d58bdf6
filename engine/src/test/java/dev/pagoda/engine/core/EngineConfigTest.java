package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.backend.KvCapacity;
import dev.pagoda.engine.load.BuiltinShapes;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Validation names the flag; KV capacity is the memory over the bytes of a block, computed here by hand. */
class EngineConfigTest {

    private static String failure(UnaryOperator<EngineConfig.Builder> change) {
        return assertThrows(IllegalArgumentException.class, () -> change.apply(EngineConfig.builder("m")).build()).getMessage();
    }

    @Test
    void everyCheckNamesItsFlag() {
        assertTrue(failure(b -> b.blockSize(0)).startsWith("--block-size"));
        assertTrue(failure(b -> b.maxNumSeqs(0)).startsWith("--max-num-seqs"));
        assertTrue(failure(b -> b.maxNumBatchedTokens(0)).startsWith("--max-num-batched-tokens"));
        assertTrue(failure(b -> b.kvCacheMemoryBytes(0)).startsWith("--kv-cache-memory"));
        assertTrue(failure(b -> b.gpuMemoryUtilization(1.5)).startsWith("--gpu-memory-utilization"));
        assertTrue(failure(b -> b.device("tpu")).startsWith("--device"));
        assertTrue(failure(b -> b.dtype("int3")).startsWith("--dtype"));
        assertTrue(failure(b -> b.model(" ")).startsWith("--model"));
        assertTrue(failure(b -> b.maxModelLen(1)).startsWith("--max-model-len"));
        String tooLong = assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.builder("m").maxModelLen(1 << 20).build().resolvedMaxModelLen(BuiltinShapes.LLAMA3_8B)).getMessage();
        assertTrue(tooLong.startsWith("--max-model-len 1048576 exceeds"), tooLong);
    }

    @Test
    void kvCapacityOfLlama3_8bInFourGiB() {
        EngineConfig config = EngineConfig.builder("llama3-8b").kvCacheMemoryBytes(4L << 30).maxNumSeqs(256).build();
        KvCapacity kv = KvCapacity.forCpu(BuiltinShapes.LLAMA3_8B, config.backendConfig(8192));
        long perBlock = 2L * 32 * 8 * 128 * 4 * 16; // K and V, 32 layers, 8 KV heads of 128, f32, 16 tokens = 4 MiB
        assertEquals(perBlock, kv.bytesPerBlock());
        assertEquals(1024, kv.numBlocks()); // 4 GiB / 4 MiB
        assertEquals("KV cache: 1024 blocks of 16 tokens (4.00 GiB); maximum concurrency for 8192 tokens per request: 2.0x",
                kv.describe());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> KvCapacity.forCpu(BuiltinShapes.LLAMA3_8B, config.toBuilder().kvCacheMemoryBytes(1L << 30).build().backendConfig(8192)))
                .getMessage().startsWith("--kv-cache-memory"));
    }

    @Test
    void poolIsCappedAtWhatMaxNumSeqsSequencesCanUse() {
        EngineConfig config = EngineConfig.builder("m").kvCacheMemoryBytes(1L << 40).maxNumSeqs(2).build();
        assertEquals(2 * (1024 / 16), KvCapacity.forCpu(BuiltinShapes.LLAMA3_8B, config.backendConfig(1024)).numBlocks());
    }
}
