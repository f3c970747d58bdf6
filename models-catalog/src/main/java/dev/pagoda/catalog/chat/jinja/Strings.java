package dev.pagoda.catalog.chat.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Python {@code str} algorithms that Java's String lacks or does differently (regex split, no count). */
final class Strings {

    private Strings() {}

    /** {@code s.replace(old, new, count)}; a negative count replaces all. */
    static String replace(String s, String old, String replacement, long count) {
        if (count == 0) return s;
        long left = count < 0 ? Long.MAX_VALUE : count;
        var sb = new StringBuilder();
        if (old.isEmpty()) {
            // Python inserts the replacement between characters and at both ends.
            int i = 0;
            while (i <= s.length()) {
                if (left-- > 0) sb.append(replacement);
                if (i == s.length()) break;
                int cp = s.codePointAt(i);
                sb.appendCodePoint(cp);
                i += Character.charCount(cp);
                if (left <= 0) {
                    sb.append(s, i, s.length());
                    break;
                }
            }
            return sb.toString();
        }
        int from = 0;
        while (left > 0) {
            int at = s.indexOf(old, from);
            if (at < 0) break;
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            left--;
        }
        return sb.append(s, from, s.length()).toString();
    }

    static long count(String s, String sub) {
        if (sub.isEmpty()) return s.codePointCount(0, s.length()) + 1;
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    /** {@code s.split(sep, maxsplit)} / {@code rsplit}: keeps empty parts, unlike Java's split. */
    static List<String> split(String s, String sep, long maxsplit, boolean fromRight) {
        if (sep.isEmpty()) throw new TemplateException("empty separator");
        var parts = new ArrayList<String>();
        long left = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        if (!fromRight) {
            int from = 0;
            for (int at; left > 0 && (at = s.indexOf(sep, from)) >= 0; left--) {
                parts.add(s.substring(from, at));
                from = at + sep.length();
            }
            parts.add(s.substring(from));
            return parts;
        }
        int end = s.length();
        for (int at; left > 0 && (at = s.lastIndexOf(sep, end - sep.length())) >= 0; left--) {
            parts.add(s.substring(at + sep.length(), end));
            end = at;
        }
        parts.add(s.substring(0, end));
        Collections.reverse(parts);
        return parts;
    }

    /** {@code s.split()} with no separator: runs of whitespace, ends ignored. */
    static List<String> splitWhitespace(String s, long maxsplit, boolean fromRight) {
        var parts = new ArrayList<String>();
        long left = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        if (!fromRight) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && Text.isWhitespace(s.charAt(i))) i++;
                if (i >= n) break;
                if (left-- <= 0) {
                    parts.add(s.substring(i)); // Python keeps the rest as it is
                    break;
                }
                int j = i;
                while (j < n && !Text.isWhitespace(s.charAt(j))) j++;
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        int i = s.length();
        while (true) {
            while (i > 0 && Text.isWhitespace(s.charAt(i - 1))) i--;
            if (i <= 0) break;
            if (left-- <= 0) {
                parts.add(s.substring(0, i));
                break;
            }
            int j = i;
            while (j > 0 && !Text.isWhitespace(s.charAt(j - 1))) j--;
            parts.add(s.substring(j, i));
            i = j;
        }
        Collections.reverse(parts);
        return parts;
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    static String format(String s, Arguments args) {
        var sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) throw new TemplateException("format(): unmatched '{'");
                String field = s.substring(i + 1, end);
                Value v;
                if (field.isEmpty()) v = args.get(auto++, "");
                else if (field.chars().allMatch(Character::isDigit)) v = args.get(Integer.parseInt(field), "");
                else v = args.get(-1, field);
                if (v instanceof Value.Undefined) throw new TemplateException("format(): no value for field {" + field + "}");
                sb.append(Values.str(v));
                i = end;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
