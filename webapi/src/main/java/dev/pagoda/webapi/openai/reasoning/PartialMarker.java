package dev.pagoda.webapi.openai.reasoning;

/**
 * Text that is still growing and may be about to spell a marker ({@code </think>},
 * {@code <tool_call>}): what of it can be shown already.
 */
public final class PartialMarker {

    private PartialMarker() {}

    /**
     * All of {@code text} except a tail that is the beginning of {@code marker}
     * ({@code "... <tool"} keeps back {@code "<tool"}); all of it once the text is complete.
     */
    public static String safePrefix(String text, String marker, boolean complete) {
        if (complete) return text;
        for (int keep = Math.min(marker.length() - 1, text.length()); keep > 0; keep--) {
            if (text.regionMatches(text.length() - keep, marker, 0, keep)) return text.substring(0, text.length() - keep);
        }
        return text;
    }
}
