package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.cuda.RequiresCuda;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured output on the GPU: the cases of {@link StructuredOutputEngineTest} (every kind of
 * constraint, greedy and sampled, n = 2) with rows sampled on the device under their bitmasks;
 * every finished output passes its independent check and every block comes back. (Preemption
 * is host bookkeeping the CPU and fake-device tests cover: the GPU pool cannot be made small.)
 */
@RequiresCuda
class CudaStructuredOutputTest {

    @Test
    void deviceSampledOutputsSatisfyTheirConstraints(@TempDir Path tmp) throws InterruptedException {
        Path folder = EngineHarness.writeFixture(tmp);
        EngineConfig roomy = EngineHarness.config(folder).device("cuda").maxModelLen(512).build();
        try (LocalEngine engine = EngineHarness.start(roomy)) {
            int stopped = StructuredOutputEngineTest.runAll(engine, new int[0], new Random(1), 400);
            assertTrue(stopped >= StructuredOutputEngineTest.cases().size() * 3, stopped + " outputs ended by their grammar");
            StructuredOutputEngineTest.assertAllBlocksBack(engine);
        }
    }
}
