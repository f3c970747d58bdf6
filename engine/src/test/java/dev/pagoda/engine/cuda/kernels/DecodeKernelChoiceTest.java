package dev.pagoda.engine.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** How {@code -Dpagoda.cuda.decodeKernel} picks the decode attention kernel. */
class DecodeKernelChoiceTest {

    private static Properties with(String value) {
        Properties p = new Properties();
        if (value != null) p.setProperty("pagoda.cuda.decodeKernel", value);
        return p;
    }

    @Test
    void unsetOrBlankIsV2() {
        assertEquals(DecodeKernelChoice.V2, DecodeKernelChoice.fromProperties(with(null)));
        assertEquals(DecodeKernelChoice.V2, DecodeKernelChoice.fromProperties(with(" ")));
    }

    @Test
    void namesPickTheirKernelWhateverTheCase() {
        assertEquals(DecodeKernelChoice.LEGACY, DecodeKernelChoice.fromProperties(with("legacy")));
        assertEquals(DecodeKernelChoice.LEGACY, DecodeKernelChoice.fromProperties(with(" Legacy ")));
        assertEquals(DecodeKernelChoice.V2, DecodeKernelChoice.fromProperties(with("V2")));
    }

    @Test
    void anUnknownNameIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> DecodeKernelChoice.fromProperties(with("v3")));
        assertTrue(e.getMessage().contains("pagoda.cuda.decodeKernel") && e.getMessage().contains("'v3'"), e.getMessage());
    }
}
