package dev.pagoda.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What CudaModule does without a GPU: include resolution, the architecture flag, the availability message. */
class CudaModuleSourcesTest {

    @Test
    void quotedIncludesComeFromTheResourceFolder() {
        String path = "/dev/pagoda/engine/cuda/infra/axpy.cu";
        Map<String, String> headers = CudaModule.headersOf(path, CudaModule.readResource(path));
        assertEquals(List.of("scale.cuh"), List.copyOf(headers.keySet()));
        assertTrue(headers.get("scale.cuh").contains("scaled("));
    }

    @Test
    void missingSourceIsAClearError() {
        CudaException e = assertThrows(CudaException.class, () -> CudaModule.readResource("/dev/pagoda/engine/cuda/infra/none.cu"));
        assertTrue(e.getMessage().contains("none.cu"), e.getMessage());
    }

    @Test
    void hopperGetsTheArchSpecificTarget() {
        assertEquals("sm_90a", CudaModule.architecture(90));
        assertEquals("sm_80", CudaModule.architecture(80));
        assertEquals("sm_89", CudaModule.architecture(89));
    }

    @Test
    void unavailabilityIsExplainedInOneLine() {
        CudaDevice.unavailableReason().ifPresent(reason -> {
            assertTrue(!reason.isBlank() && !reason.contains("\n"), reason);
            CudaException e = assertThrows(CudaException.class, () -> CudaDevice.open(0));
            assertTrue(e.getMessage().contains(reason), e.getMessage());
        });
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even mantissa (1).
        assertEquals(1f, Bf16.round(1f + 0x1p-8f));
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 0x1p-7f + 0x1p-8f)); // odd neighbour below, so up
        assertEquals(Float.NaN, Bf16.round(Float.NaN));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
        assertEquals(-2.5f, Bf16.round(-2.5f));
    }
}
