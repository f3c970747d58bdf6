package dev.pagoda.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.engine.model.ForwardBatch;
import org.junit.jupiter.api.Test;

/** Which steps replay a CUDA graph, and of which batch size (host logic; no GPU needed). */
class GraphBucketTest {

    /** {@code seqs} sequences of one decode token each, every one sampled, {@code context} tokens cached. */
    private static ForwardBatch decodes(int seqs, int context) {
        int[] tokens = new int[seqs];
        int[] positions = new int[seqs];
        int[] slots = new int[seqs];
        int[] queryStart = new int[seqs + 1];
        int[] contextLens = new int[seqs];
        int[][] tables = new int[seqs][];
        int[] rows = new int[seqs];
        for (int s = 0; s < seqs; s++) {
            positions[s] = context - 1;
            slots[s] = s * 16 + (context - 1) % 16;
            queryStart[s + 1] = s + 1;
            contextLens[s] = context;
            tables[s] = new int[] {s};
            rows[s] = s;
        }
        return new ForwardBatch(tokens, positions, slots, queryStart, contextLens, tables, rows);
    }

    @Test
    void decodeStepsRoundUpToAPowerOfTwo() {
        assertEquals(1, CudaStepExecutor.graphBucket(decodes(1, 5), 256, 8192));
        assertEquals(4, CudaStepExecutor.graphBucket(decodes(3, 5), 256, 8192));
        assertEquals(64, CudaStepExecutor.graphBucket(decodes(33, 5), 256, 8192));
        assertEquals(256, CudaStepExecutor.graphBucket(decodes(256, 5), 256, 8192));
    }

    @Test
    void bucketsBeyondTheBuffersRunEagerly() {
        assertEquals(0, CudaStepExecutor.graphBucket(decodes(200, 5), 200, 8192)); // bucket 256 > max-num-seqs 200
        assertEquals(0, CudaStepExecutor.graphBucket(decodes(5, 5), 256, 6)); // bucket 8 > token budget 6
    }

    @Test
    void prefillAndUnsampledRowsRunEagerly() {
        ForwardBatch prefill = new ForwardBatch(new int[3], new int[] {0, 1, 2}, new int[] {0, 1, 2}, new int[] {0, 3},
                new int[] {3}, new int[][] {{0}}, new int[] {2});
        assertEquals(0, CudaStepExecutor.graphBucket(prefill, 256, 8192));
        ForwardBatch d = decodes(2, 5);
        ForwardBatch oneUnsampled = new ForwardBatch(d.tokenIds(), d.positions(), d.slotMapping(), d.queryStart(), d.contextLens(),
                d.blockTables(), new int[] {1});
        assertEquals(0, CudaStepExecutor.graphBucket(oneUnsampled, 256, 8192));
    }
}
