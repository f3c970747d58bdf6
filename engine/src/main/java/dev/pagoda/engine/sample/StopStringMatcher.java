package dev.pagoda.engine.sample;

import java.util.List;

/**
 * Finds stop strings in streamed text. Fed the text deltas of an incremental detokenizer, it
 * returns what is safe to show now: everything except the longest tail that could still grow
 * into a stop string (usually nothing, so streaming is not delayed by a fixed window). A stop
 * string split across tokens is therefore found whole, and the text before it is never shown
 * partially. When several stop strings occur, the earliest-starting wins (the shortest among
 * those starting at the same place, as it completed first). The output ends before the stop
 * string, or after it with {@code include_stop_str_in_output}.
 *
 * <p>One instance per completion; not thread-safe.
 */
public final class StopStringMatcher {

    /**
     * What {@link #feed} allows out.
     *
     * @param text    text to emit now (possibly empty)
     * @param matched the stop string that ended the text, or null while it goes on
     */
    public record Emit(String text, String matched) {
        public boolean stopped() {
            return matched != null;
        }
    }

    private final List<String> stops;
    private final boolean includeStop;
    private final StringBuilder held = new StringBuilder(); // tail that may begin a stop string
    private String matched;

    public StopStringMatcher(List<String> stops, boolean includeStopStrInOutput) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) throw new InvalidSamplingParamsException("stop", "stop cannot contain an empty string");
        }
        this.stops = List.copyOf(stops);
        this.includeStop = includeStopStrInOutput;
    }

    public static StopStringMatcher of(SamplingParams params) {
        return new StopStringMatcher(params.stop(), params.includeStopStrInOutput());
    }

    /** Adds newly detokenized text. After a match, feeding more is an error. */
    public Emit feed(String delta) {
        if (matched != null) throw new IllegalStateException("stop string \"" + matched + "\" already ended this text");
        if (stops.isEmpty()) return new Emit(delta, null);
        held.append(delta);
        String text = held.toString();

        int bestStart = -1;
        String best = null;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at < 0) continue;
            if (best == null || at < bestStart || (at == bestStart && stop.length() < best.length())) {
                bestStart = at;
                best = stop;
            }
        }
        if (best != null) {
            matched = best;
            held.setLength(0);
            return new Emit(text.substring(0, includeStop ? bestStart + best.length() : bestStart), best);
        }

        int keep = longestPartialStop(text);
        held.delete(0, text.length() - keep);
        return new Emit(text.substring(0, text.length() - keep), null);
    }

    /** The held-back tail, for when the text ends for another reason (EOS, length, abort). */
    public String flush() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    public String matched() {
        return matched;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of some stop string. */
    private int longestPartialStop(String text) {
        int longest = 0;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > longest; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    longest = len;
                    break;
                }
            }
        }
        return longest;
    }
}
