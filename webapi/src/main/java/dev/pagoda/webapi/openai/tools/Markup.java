package dev.pagoda.webapi.openai.tools;

/** Small text helpers the parsers share. */
final class Markup {

    private Markup() {}

    /** The first offset at or after {@code from} that is not JSON whitespace. */
    static int skipSpace(String text, int from) {
        int i = from;
        while (i < text.length() && isSpace(text.charAt(i))) i++;
        return i;
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** Whether {@code text} from {@code at} to its end is the beginning of {@code marker} (perhaps empty). */
    static boolean startOf(String text, int at, String marker) {
        int rest = text.length() - at;
        return rest < marker.length() && text.regionMatches(at, marker, 0, rest);
    }
}
