package dev.pagoda.catalog.chat.jinja;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A template after the preprocessing transformers and {@code @huggingface/jinja} apply before lexing
 * (one trailing newline dropped, lstrip_blocks, trim_blocks, {@code {% generation %}} tags removed),
 * with a map back to the original so errors can name the line and column the author sees.
 */
final class SourceText {

    // The same regular expressions @huggingface/jinja applies, so whitespace comes out identical.
    private static final Pattern LSTRIP_BLOCKS = Pattern.compile("(?m)^[ \\t]*(?=\\{[#%-])");
    private static final Pattern TRIM_BLOCKS = Pattern.compile("(?<=[#%-]\\})\\n");
    private static final Pattern GENERATION =
            Pattern.compile("(?s)(\\s*)\\{%(-?)\\s*(?:end)?generation\\s*(-?)%\\}(\\s*)");

    private final String original;
    private final String text;
    private final int[] origin; // (text.length() + 1): offset in original of each preprocessed char

    private SourceText(String original, String text, int[] origin) {
        this.original = original;
        this.text = text;
        this.origin = origin;
    }

    static SourceText preprocess(String template) {
        int n = template.endsWith("\n") ? template.length() - 1 : template.length();
        int[] origin = new int[n + 1];
        for (int i = 0; i <= n; i++) origin[i] = i;
        var s = new SourceText(template, template.substring(0, n), origin);
        s = s.deleteMatches(LSTRIP_BLOCKS, false);
        s = s.deleteMatches(TRIM_BLOCKS, false);
        return s.deleteMatches(GENERATION, true);
    }

    /**
     * Deletes each match of {@code p}; for the generation tag only the tag itself and the whitespace
     * on a side marked with {@code -} go, as in {@code @huggingface/jinja}.
     */
    private SourceText deleteMatches(Pattern p, boolean generationTag) {
        boolean[] deleted = new boolean[text.length()];
        Matcher m = p.matcher(text);
        boolean any = false;
        while (m.find()) {
            any = true;
            int from = m.start(), to = m.end();
            if (generationTag) {
                if (m.group(2).isEmpty()) from = m.end(1);
                if (m.group(3).isEmpty()) to = m.start(4);
            }
            for (int i = from; i < to; i++) deleted[i] = true;
        }
        if (!any) return this;
        var sb = new StringBuilder(text.length());
        int[] map = new int[text.length() + 1];
        int k = 0;
        for (int i = 0; i < text.length(); i++) {
            if (deleted[i]) continue;
            sb.append(text.charAt(i));
            map[k++] = origin[i];
        }
        map[k] = origin[text.length()];
        return new SourceText(original, sb.toString(), java.util.Arrays.copyOf(map, k + 1));
    }

    String text() {
        return text;
    }

    TemplateSyntaxException error(int offset, String problem) {
        int pos = origin[Math.max(0, Math.min(offset, origin.length - 1))];
        int line = 1, col = 1;
        for (int i = 0; i < pos && i < original.length(); i++) {
            if (original.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new TemplateSyntaxException(problem, line, col);
    }
}
