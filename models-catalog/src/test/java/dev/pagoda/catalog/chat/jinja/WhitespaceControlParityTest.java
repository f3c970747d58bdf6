package dev.pagoda.catalog.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.chat.jinja.HfJinja.Case;
import dev.pagoda.catalog.chat.jinja.HfJinja.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property-style: random templates mixing text, indentation, newlines, tags with and without
 * {@code -} markers, comments, nested if/for blocks and sets, each seed rendered here and by
 * {@code @huggingface/jinja} (all seeds in one node run). Whitespace handling is where chat
 * templates most easily go wrong by one space or newline.
 */
class WhitespaceControlParityTest {

    private static final int SEEDS = 400;
    private static final String[] TEXTS = {"", " ", "  ", "\n", " \n ", "\t", "a", "b c", "\n\n", "x \n", "\n  ", " y\n\t"};

    @Test
    void randomTemplatesMatchTheReference() {
        var cases = new ArrayList<Case>();
        for (int seed = 0; seed < SEEDS; seed++) {
            var r = new Random(seed);
            var sb = new StringBuilder();
            sequence(r, sb, 0);
            if (r.nextBoolean()) sb.append('\n');
            cases.add(new Case(sb.toString(), Map.of("flag", r.nextBoolean(), "items", List.of("p", "q"))));
        }
        List<Result> expected = HfJinja.renderAll(cases);
        var failures = new ArrayList<String>();
        for (int seed = 0; seed < SEEDS; seed++) {
            String template = cases.get(seed).template();
            Result want = expected.get(seed);
            String got;
            try {
                got = Template.parse(template).render(cases.get(seed).variables());
            } catch (TemplateException e) {
                got = "ERROR " + e.getMessage();
            }
            String ref = want.failed() ? "ERROR" : want.output();
            boolean same = want.failed() ? got.startsWith("ERROR") : ref.equals(got);
            if (!same) {
                failures.add("seed " + seed + ": template " + quote(template) + "\n  reference " + quote(ref) + "\n  ours      " + quote(got));
            }
        }
        long rendered = expected.stream().filter(x -> !x.failed()).count();
        assertTrue(rendered == SEEDS, "the generator should only make valid templates; the reference rejected " + (SEEDS - rendered));
        assertTrue(failures.isEmpty(), failures.size() + " of " + SEEDS + " seeds differ:\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    private static void sequence(Random r, StringBuilder sb, int depth) {
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            sb.append(TEXTS[r.nextInt(TEXTS.length)]);
            if (r.nextInt(3) == 0) sb.append("\n").append(" ".repeat(r.nextInt(4)));
            switch (r.nextInt(depth < 3 ? 7 : 4)) {
                case 0 -> sb.append(open(r, "{{")).append(" 'v").append(i).append("' ").append(close(r, "}}"));
                case 1 -> sb.append(open(r, "{#")).append(" note ").append(close(r, "#}"));
                case 2 -> sb.append(open(r, "{%")).append(" set z = ").append(i).append(' ').append(close(r, "%}"));
                case 3 -> sb.append(open(r, "{{")).append(" flag ").append(close(r, "}}"));
                case 4 -> {
                    sb.append(open(r, "{%")).append(" if flag ").append(close(r, "%}"));
                    sequence(r, sb, depth + 1);
                    if (r.nextBoolean()) {
                        sb.append(open(r, "{%")).append(" else ").append(close(r, "%}"));
                        sequence(r, sb, depth + 1);
                    }
                    sb.append(open(r, "{%")).append(" endif ").append(close(r, "%}"));
                }
                case 5 -> {
                    sb.append(open(r, "{%")).append(" for it in items ").append(close(r, "%}"));
                    sequence(r, sb, depth + 1);
                    sb.append(open(r, "{{")).append(" it ").append(close(r, "}}"));
                    sb.append(open(r, "{%")).append(" endfor ").append(close(r, "%}"));
                }
                default -> sb.append(TEXTS[r.nextInt(TEXTS.length)]);
            }
        }
    }

    private static String open(Random r, String tag) {
        return r.nextInt(3) == 0 ? tag + "-" : tag;
    }

    private static String close(Random r, String tag) {
        return r.nextInt(3) == 0 ? "-" + tag : tag;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
