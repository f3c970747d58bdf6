package dev.pagoda.engine.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming matcher against a naive search over the whole text after every delta, for many
 * random texts, stop strings and token splits.
 */
class StopStringMatcherTest {

    @Test
    void stopSplitAcrossTokensIsFoundAndNeverShown() {
        StopStringMatcher m = new StopStringMatcher(List.of("</end>"), false);
        assertEquals("Hello ", m.feed("Hello <").text());
        assertEquals("", m.feed("/en").text());
        StopStringMatcher.Emit last = m.feed("d> more");
        assertEquals("", last.text());
        assertEquals("</end>", last.matched());
    }

    @Test
    void includeStopStrKeepsTheStopString() {
        StopStringMatcher m = new StopStringMatcher(List.of("STOP"), true);
        assertEquals("a", m.feed("aST").text());
        StopStringMatcher.Emit last = m.feed("OPb");
        assertEquals("STOP", last.text());
        assertEquals("STOP", last.matched());
    }

    @Test
    void heldBackTextIsReleasedWhenItCannotStartAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("abc"), false);
        assertEquals("x", m.feed("xab").text());
        assertEquals("abx", m.feed("x").text());
        assertEquals("", m.feed("a").text());
        assertEquals("a", m.flush());
    }

    @Test
    void feedingAfterAStopIsAnError() {
        StopStringMatcher m = new StopStringMatcher(List.of("x"), false);
        m.feed("x");
        assertThrows(IllegalStateException.class, () -> m.feed("y"));
    }

    @Test
    void matchesANaiveSearchOverTheFullText() {
        for (long seed = 1; seed <= 3000; seed++) {
            Random random = new Random(seed);
            String alphabet = random.nextBoolean() ? "ab" : "abc\n😀";
            List<String> stops = new ArrayList<>();
            int stopCount = 1 + random.nextInt(3);
            for (int i = 0; i < stopCount; i++) stops.add(randomText(random, alphabet, 1 + random.nextInt(4)));
            boolean include = random.nextBoolean();
            String text = randomText(random, alphabet, random.nextInt(40));
            List<String> deltas = split(random, text);

            StringBuilder emitted = new StringBuilder();
            StringBuilder fed = new StringBuilder();
            StopStringMatcher matcher = new StopStringMatcher(stops, include);
            String matched = null;
            for (String delta : deltas) {
                fed.append(delta);
                StopStringMatcher.Emit emit = matcher.feed(delta);
                emitted.append(emit.text());
                Naive expected = naive(fed.toString(), stops, include);
                String where = "seed " + seed + ", stops " + stops + ", deltas " + deltas + ", include " + include;
                if (expected != null) {
                    assertEquals(expected.stop, emit.matched(), where);
                    assertEquals(expected.output, emitted.toString(), where);
                    matched = emit.matched();
                    break;
                }
                assertNull(emit.matched(), where);
                // Everything is shown except the longest tail that could still become a stop string.
                String all = fed.toString();
                assertEquals(all.substring(0, all.length() - longestPartial(all, stops)), emitted.toString(), where);
            }
            if (matched == null) {
                assertEquals(text, emitted + matcher.flush(), "seed " + seed + ": nothing may be lost");
            }
        }
    }

    private record Naive(String output, String stop) {
    }

    /** Earliest occurrence of any stop string in the full text; the shortest among those starting there. */
    private static Naive naive(String text, List<String> stops, boolean include) {
        for (int start = 0; start < text.length(); start++) {
            String best = null;
            for (String stop : stops) {
                if (text.startsWith(stop, start) && (best == null || stop.length() < best.length())) best = stop;
            }
            if (best != null) return new Naive(text.substring(0, include ? start + best.length() : start), best);
        }
        return null;
    }

    private static int longestPartial(String text, List<String> stops) {
        int longest = 0;
        for (String stop : stops) {
            for (int len = 1; len < stop.length() && len <= text.length(); len++) {
                if (text.endsWith(stop.substring(0, len))) longest = Math.max(longest, len);
            }
        }
        return longest;
    }

    private static String randomText(Random random, String alphabet, int codePoints) {
        int[] cps = alphabet.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) sb.appendCodePoint(cps[random.nextInt(cps.length)]);
        return sb.toString();
    }

    /** Cuts at random code-point boundaries, as an incremental detokenizer emits whole characters. */
    private static List<String> split(Random random, String text) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int cps = 1 + random.nextInt(4);
            int end = i;
            for (int c = 0; c < cps && end < text.length(); c++) end = text.offsetByCodePoints(end, 1);
            parts.add(text.substring(i, end));
            i = end;
        }
        if (random.nextInt(5) == 0) parts.add(random.nextInt(parts.size() + 1), ""); // empty deltas happen
        return parts;
    }
}
