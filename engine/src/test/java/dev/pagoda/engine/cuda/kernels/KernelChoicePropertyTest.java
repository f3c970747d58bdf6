package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** How {@code -Dpagoda.cuda.decodeKernel} and {@code -Dpagoda.cuda.prefillKernel} pick the attention kernels. */
class KernelChoicePropertyTest {

    private static Properties with(String property, String value) {
        Properties p = new Properties();
        if (value != null) p.setProperty(property, value);
        return p;
    }

    private static DecodeKernelChoice decode(String value) {
        return DecodeKernelChoice.fromProperties(with("pagoda.cuda.decodeKernel", value));
    }

    private static PrefillKernelChoice prefill(String value) {
        return PrefillKernelChoice.fromProperties(with("pagoda.cuda.prefillKernel", value));
    }

    @Test
    void unsetOrBlankIsV2() {
        assertEquals(DecodeKernelChoice.V2, decode(null));
        assertEquals(DecodeKernelChoice.V2, decode(" "));
        assertEquals(PrefillKernelChoice.V2, prefill(null));
        assertEquals(PrefillKernelChoice.V2, prefill(""));
    }

    @Test
    void namesPickTheirKernelWhateverTheCase() {
        assertEquals(DecodeKernelChoice.LEGACY, decode("legacy"));
        assertEquals(DecodeKernelChoice.LEGACY, decode(" Legacy "));
        assertEquals(DecodeKernelChoice.V2, decode("V2"));
        assertEquals(PrefillKernelChoice.LEGACY, prefill("LEGACY"));
        assertEquals(PrefillKernelChoice.V2, prefill(" v2"));
    }

    @Test
    void eachPropertyPicksOnlyItsOwnKernel() {
        Properties p = with("pagoda.cuda.prefillKernel", "legacy");
        assertEquals(DecodeKernelChoice.V2, DecodeKernelChoice.fromProperties(p));
        assertEquals(PrefillKernelChoice.LEGACY, PrefillKernelChoice.fromProperties(p));
    }

    @Test
    void anUnknownNameIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> decode("v3"));
        assertTrue(e.getMessage().contains("pagoda.cuda.decodeKernel") && e.getMessage().contains("'v3'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> prefill("fa3"));
        assertTrue(e.getMessage().contains("pagoda.cuda.prefillKernel") && e.getMessage().contains("'fa3'")
                && e.getMessage().contains("'legacy' or 'v2'"), e.getMessage());
    }
}
