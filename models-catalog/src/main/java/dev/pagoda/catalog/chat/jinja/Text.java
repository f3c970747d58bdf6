package dev.pagoda.catalog.chat.jinja;

/**
 * String helpers with the whitespace set of the reference ({@code @huggingface/jinja}, i.e. the
 * JavaScript {@code \s} class), which Java's {@code String.strip} does not quite share (it misses
 * U+FEFF and includes U+001C..U+001F).
 */
final class Text {

    private Text() {}

    static boolean isWhitespace(char c) {
        return switch (c) {
            case ' ', '\t', '\n', '\u000b', '\f', '\r', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f',
                    '\u3000', '\ufeff' -> true;
            default -> c >= '\u2000' && c <= '\u200a';
        };
    }

    static String strip(String s) {
        return stripStart(stripEnd(s));
    }

    static String stripEnd(String s) {
        int end = s.length();
        while (end > 0 && isWhitespace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    static String stripStart(String s) {
        int start = 0;
        while (start < s.length() && isWhitespace(s.charAt(start))) start++;
        return s.substring(start);
    }

    /** Python {@code str.strip(chars)}: removes any of {@code chars} from the chosen ends. */
    static String stripChars(String s, String chars, boolean start, boolean end) {
        int a = 0, b = s.length();
        if (start) while (a < b && chars.indexOf(s.charAt(a)) >= 0) a++;
        if (end) while (b > a && chars.indexOf(s.charAt(b - 1)) >= 0) b--;
        return s.substring(a, b);
    }

    /**
     * Upper-cases the first character of every ASCII word and leaves the rest alone, as the
     * reference's {@code title} does (a word-boundary regex); Python would also lower-case the rest.
     */
    static String title(String s) {
        var sb = new StringBuilder(s.length());
        boolean prevWord = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(word && !prevWord ? Character.toUpperCase(c) : c);
            prevWord = word;
        }
        return sb.toString();
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1);
    }
}
