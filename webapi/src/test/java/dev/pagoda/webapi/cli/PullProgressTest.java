package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.hub.PullListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What {@code pagoda pull} prints: a bar redrawn in place on a terminal, plain lines elsewhere. */
class PullProgressTest {

    private static final long MIB = 1L << 20;

    @Test
    void aTerminalGetsOneBarPerFileRedrawnInPlace() {
        StringWriter text = new StringWriter();
        PullListener bar = new PullProgress.Bar(new PrintWriter(text));
        bar.started("model.safetensors", 100 * MIB, 25 * MIB);
        bar.progress("model.safetensors", 50 * MIB, 100 * MIB); // drawn only if 100 ms passed since the last draw
        bar.finished("model.safetensors", 100 * MIB);
        String[] draws = text.toString().split("\r");
        String first = draws[1], last = draws[draws.length - 1];
        assertTrue(draws.length <= 4, text.toString());
        assertTrue(first.startsWith("model.safetensors  25% [######..................] 25.0 MiB / 100.0 MiB "), first);
        assertTrue(last.startsWith("model.safetensors 100% [########################] 100.0 MiB / 100.0 MiB "), last);
        assertTrue(last.endsWith("\u001b[K\n"), "the line is finished once the file is: " + last);
        assertEquals(1, text.toString().chars().filter(c -> c == '\n').count(), "one line per file");
        assertEquals("(…)0123456789012345678901234567890123456789  in the cache already\n", cachedLine("x".repeat(30)
                + "0123456789012345678901234567890123456789"));
    }

    private static String cachedLine(String file) {
        StringWriter text = new StringWriter();
        new PullProgress.Bar(new PrintWriter(text)).cached(file, 1);
        return text.toString();
    }

    @Test
    void elsewhereLinesReportEachTenthOfALargeFile() {
        StringWriter text = new StringWriter();
        PullListener lines = new PullProgress.Lines(new PrintWriter(text));
        lines.started("big.gguf", 1000 * MIB, 0);
        for (long done = 0; done <= 1000 * MIB; done += 50 * MIB) lines.progress("big.gguf", done, 1000 * MIB);
        lines.retrying("big.gguf", 1000 * MIB, "Premature EOF");
        lines.started("small.json", 2000, 0);
        lines.progress("small.json", 2000, 2000);
        long tenths = text.toString().lines().filter(l -> l.matches("big\\.gguf: \\d0% \\(.*\\)")).count();
        assertEquals(9, tenths, text.toString());
        assertTrue(text.toString().startsWith("big.gguf: downloading 1000.0 MiB\nbig.gguf: 10% (100.0 MiB)\n"), text.toString());
        assertTrue(text.toString().contains("big.gguf: the connection broke at 1000.0 MiB (Premature EOF); resuming\n"));
        assertTrue(text.toString().endsWith("small.json: downloading 2.0 KiB\n"), "a small file gets no tenths: " + text);
        assertEquals("874 B", PullProgress.human(874));
        assertEquals("15.0 GiB", PullProgress.human(15L << 30));
    }
}
