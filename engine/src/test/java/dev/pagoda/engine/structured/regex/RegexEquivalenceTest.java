package dev.pagoda.engine.structured.regex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.AutomatonBuilder;
import dev.pagoda.engine.structured.automaton.PdaMatcher;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The regex compiler against {@code java.util.regex} full matches, on random expressions of the
 * syntax both share (literals including multi-byte characters, escapes, classes and negated
 * classes, the ASCII shorthands, {@code .}, groups, alternation, greedy and lazy quantifiers
 * with counts) and random strings: strings the expression generates, their one-character edits,
 * and strings drawn from its alphabet.
 */
class RegexEquivalenceTest {

    /** Characters the expressions and strings use: ASCII, 2-, 3- and 4-byte UTF-8, no line terminators but \n (Java's "." excludes more). */
    private static final String[] ALPHABET = {"a", "b", "c", "0", "7", "-", " ", "\n", "\t", ".", "é", "€", "😀", "_", "Z"};

    /** A random expression that can print itself and generate strings it matches. */
    private sealed interface Node {
        String pattern();

        void sample(Random r, StringBuilder out);
    }

    private record Lit(String ch) implements Node {
        public String pattern() {
            return "\\^$.|?*+()[]{}-".contains(ch) && ch.length() == 1 ? "\\" + ch : ch.equals("\n") ? "\\n" : ch.equals("\t") ? "\\t" : ch;
        }

        public void sample(Random r, StringBuilder out) {
            out.append(ch);
        }
    }

    /** A class over a few alphabet members, possibly negated; sampled from the alphabet members it matches. */
    private record Cls(String pattern, Pattern java) implements Node {
        public void sample(Random r, StringBuilder out) {
            List<String> members = new ArrayList<>();
            for (String a : ALPHABET) if (java.matcher(a).matches()) members.add(a);
            if (!members.isEmpty()) out.append(members.get(r.nextInt(members.size())));
        }
    }

    private record Cat(List<Node> items) implements Node {
        public String pattern() {
            StringBuilder s = new StringBuilder();
            for (Node n : items) s.append(n instanceof Alt ? "(" + n.pattern() + ")" : n.pattern());
            return s.toString();
        }

        public void sample(Random r, StringBuilder out) {
            for (Node n : items) n.sample(r, out);
        }
    }

    private record Alt(List<Node> options) implements Node {
        public String pattern() {
            return String.join("|", options.stream().map(Node::pattern).toList());
        }

        public void sample(Random r, StringBuilder out) {
            options.get(r.nextInt(options.size())).sample(r, out);
        }
    }

    private record Rep(Node item, int min, int max, String suffix) implements Node {
        public String pattern() {
            String inner = item instanceof Lit || item instanceof Cls ? item.pattern() : "(?:" + item.pattern() + ")";
            return inner + suffix;
        }

        public void sample(Random r, StringBuilder out) {
            int n = min + r.nextInt((max < 0 ? min + 3 : max) - min + 1);
            for (int i = 0; i < n; i++) item.sample(r, out);
        }
    }

    private static Node node(Random r, int depth) {
        int kind = depth > 2 ? r.nextInt(3) : r.nextInt(6);
        return switch (kind) {
            case 0 -> new Lit(ALPHABET[r.nextInt(ALPHABET.length)]);
            case 1 -> cls(r);
            case 2 -> {
                String[] shorthands = {"\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "."};
                String p = shorthands[r.nextInt(shorthands.length)];
                yield new Cls(p, Pattern.compile(p));
            }
            case 3 -> {
                List<Node> items = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) items.add(node(r, depth + 1));
                yield new Cat(items);
            }
            case 4 -> {
                List<Node> options = new ArrayList<>();
                for (int i = 0, n = 2 + r.nextInt(3); i < n; i++) options.add(r.nextInt(6) == 0 ? new Cat(List.of()) : node(r, depth + 1));
                yield new Alt(options);
            }
            default -> {
                Node item = node(r, depth + 1);
                String lazy = r.nextInt(4) == 0 ? "?" : "";
                yield switch (r.nextInt(6)) {
                    case 0 -> new Rep(item, 0, -1, "*" + lazy);
                    case 1 -> new Rep(item, 1, -1, "+" + lazy);
                    case 2 -> new Rep(item, 0, 1, "?" + lazy);
                    case 3 -> {
                        int m = r.nextInt(3);
                        yield new Rep(item, m, m, "{" + m + "}" + lazy);
                    }
                    case 4 -> {
                        int m = r.nextInt(3);
                        yield new Rep(item, m, -1, "{" + m + ",}" + lazy);
                    }
                    default -> {
                        int m = r.nextInt(3), n = m + r.nextInt(3);
                        yield new Rep(item, m, n, "{" + m + "," + n + "}" + lazy);
                    }
                };
            }
        };
    }

    private static Cls cls(Random r) {
        StringBuilder s = new StringBuilder("[");
        if (r.nextBoolean()) s.append('^');
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> s.append("a-c");
                case 1 -> s.append("0-9");
                case 2 -> s.append(new String[] {"\\d", "\\s", "\\w", "é", "😀", "€-€", "_", "\\-", "\\n", "\\.", " "}[r.nextInt(11)]);
                default -> s.append(ALPHABET[r.nextInt(ALPHABET.length)].replace("-", "\\-").replace(".", "\\.").replace("\n", "\\n").replace("\t", "\\t"));
            }
        }
        String p = s.append(']').toString();
        return new Cls(p, Pattern.compile(p));
    }

    private static List<String> strings(Random r, Node n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            StringBuilder s = new StringBuilder();
            n.sample(r, s);
            out.add(s.toString());
            out.add(edit(r, s.toString()));
        }
        for (int i = 0; i < 8; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0, len = r.nextInt(6); j < len; j++) s.append(ALPHABET[r.nextInt(ALPHABET.length)]);
            out.add(s.toString());
        }
        return out;
    }

    private static String edit(Random r, String s) {
        int[] cps = s.codePoints().toArray();
        List<String> chars = new ArrayList<>();
        for (int cp : cps) chars.add(new String(Character.toChars(cp)));
        int at = chars.isEmpty() ? 0 : r.nextInt(chars.size() + 1);
        switch (r.nextInt(3)) {
            case 0 -> chars.add(at, ALPHABET[r.nextInt(ALPHABET.length)]);
            case 1 -> {
                if (!chars.isEmpty()) chars.remove(Math.min(at, chars.size() - 1));
            }
            default -> {
                if (!chars.isEmpty()) chars.set(Math.min(at, chars.size() - 1), ALPHABET[r.nextInt(ALPHABET.length)]);
            }
        }
        return String.join("", chars);
    }

    static boolean matches(Automaton a, String s) {
        PdaMatcher m = new PdaMatcher(a);
        return m.advance(s.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
    }

    @Test
    void verdictsEqualJavaRegexFullMatches() {
        int positives = 0, total = 0;
        for (long seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            Node n = node(r, 0);
            String pattern = n.pattern();
            Pattern java = Pattern.compile(pattern);
            Automaton a = AutomatonBuilder.build(Grammar.of(RegexParser.parse(pattern).body()));
            for (String s : strings(r, n)) {
                boolean expected = java.matcher(s).matches();
                assertEquals(expected, matches(a, s), "seed " + seed + ": /" + pattern + "/ on \"" + s.replace("\n", "\\n") + "\"");
                if (expected) positives++;
                total++;
            }
        }
        assertTrue(positives > total / 4 && positives < total * 3 / 4, positives + " of " + total + " strings matched: the family is balanced");
    }

    @Test
    void unsupportedSyntaxIsRefusedWithThePosition() {
        for (String p : List.of("(?=a)b", "a\\1", "\\bword", "a*+", "(?i)abc", "a)", "[abc", "x{3,1}")) {
            GrammarException e = assertThrows(GrammarException.class, () -> RegexParser.parse(p), p);
            assertTrue(e.getMessage().contains("position"), e.getMessage());
        }
    }

    @Test
    void anchorsAreNotedAndBracesWithoutCountsAreLiteral() {
        RegexParser.Regex r = RegexParser.parse("^ab{x}$");
        assertTrue(r.anchoredStart() && r.anchoredEnd());
        Automaton a = AutomatonBuilder.build(Grammar.of(r.body()));
        assertTrue(matches(a, "ab{x}"));
    }
}
