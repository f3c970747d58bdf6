package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The growing-text JSON reader against Jackson, the reference: on random JSON its value offsets are
 * Jackson's token offsets; every prefix of valid JSON reads without error, valid to its end, and
 * whatever it calls finished is finished identically in the whole text; and on random mutations
 * (deleted, inserted, replaced characters) "a complete JSON value" is exactly Jackson's verdict.
 */
class PartialJsonTest {

    private static final ObjectMapper STRICT = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String ALPHABET = "{}[]\":,\\ \n0123456789-+.eEtrufalsn\u0001éxu/";

    @Test
    void offsetsAreJacksonsAndEveryPrefixIsValidSoFar() throws Exception {
        for (int seed = 0; seed < 300; seed++) {
            String text = randomJson(new Random(seed));
            PartialJson.Result whole = PartialJson.read(text, 0, true);
            assertNull(whole.error(), seed + ": " + text);
            assertEquals(jacksonSpans(text), spans(whole.root()), "value offsets, seed " + seed + ": " + text);
            assertTrue(whole.root().complete() && Markup.skipSpace(text, whole.root().end) == text.length(), text);

            for (int end = 0; end < text.length(); end++) {
                String prefix = text.substring(0, end);
                PartialJson.Result r = PartialJson.read(prefix, 0, false);
                assertNull(r.error(), "a prefix of valid JSON has no error: seed " + seed + " '" + prefix + "'");
                assertEquals(prefix.length(), r.readUntil(), "valid so far to its end: '" + prefix + "'");
                if (r.root() != null) assertFinishedAsInWhole(r.root(), whole.root(), prefix);
            }
        }
    }

    @Test
    void completeVerdictIsJacksons() {
        int invalid = 0;
        for (int seed = 0; seed < 3000; seed++) {
            Random random = new Random(seed);
            StringBuilder text = new StringBuilder(randomJson(random));
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                int at = random.nextInt(text.length() + 1);
                char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, c);
                    case 1 -> { if (at < text.length()) text.deleteCharAt(at); }
                    default -> { if (at < text.length()) text.setCharAt(at, c); }
                }
            }
            String s = text.toString();
            boolean jackson = jacksonAccepts(s);
            PartialJson.Result r = PartialJson.read(s, 0, true);
            boolean ours = r.error() == null && r.root() != null && r.root().complete()
                    && Markup.skipSpace(s, r.root().end) == s.length();
            assertEquals(jackson, ours, "seed " + seed + ": '" + s + "' (ours: " + r.error() + ")");
            if (!jackson) invalid++;
        }
        assertTrue(invalid > 1000, "the mutations made invalid JSON often: " + invalid);
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String deep = "[".repeat(100_000);
        PartialJson.Result r = PartialJson.read(deep, 0, false);
        assertNotNull(r.error());
        assertEquals(PartialJson.MAX_DEPTH, r.readUntil());
    }

    private static boolean jacksonAccepts(String s) {
        try {
            return !STRICT.readTree(s).isMissingNode();
        } catch (Exception e) {
            return false;
        }
    }

    /** (start, end) of every value in document order, as Jackson's token locations give them. */
    private static List<List<Integer>> jacksonSpans(String text) throws Exception {
        List<List<Integer>> spans = new ArrayList<>();
        List<Integer> open = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                int start = (int) p.currentTokenLocation().getCharOffset();
                if (t == JsonToken.FIELD_NAME) continue;
                if (t.isStructStart()) {
                    open.add(spans.size());
                    spans.add(new ArrayList<>(List.of(start, -1)));
                } else if (t.isStructEnd()) {
                    spans.get(open.removeLast()).set(1, (int) p.currentLocation().getCharOffset());
                } else {
                    p.getText();
                    spans.add(List.of(start, (int) p.currentLocation().getCharOffset()));
                }
            }
        }
        return spans;
    }

    private static List<List<Integer>> spans(PartialJson.Node root) {
        List<List<Integer>> out = new ArrayList<>();
        walk(root, n -> out.add(List.of(n.start, n.end)));
        return out;
    }

    private static void walk(PartialJson.Node n, java.util.function.Consumer<PartialJson.Node> visit) {
        visit.accept(n);
        for (PartialJson.Member m : n.members) if (m.value != null) walk(m.value, visit);
        for (PartialJson.Node item : n.items) walk(item, visit);
    }

    /** Values finished in the prefix are the whole text's values, at the same offsets, with the same strings. */
    private static void assertFinishedAsInWhole(PartialJson.Node part, PartialJson.Node whole, String prefix) {
        assertEquals(whole.start, part.start, prefix);
        assertEquals(whole.kind, part.kind, prefix);
        if (part.complete()) {
            assertEquals(whole.end, part.end, prefix);
            assertEquals(whole.string, part.string, prefix);
        }
        for (int i = 0; i < part.members.size(); i++) {
            assertEquals(whole.members.get(i).key, part.members.get(i).key, prefix);
            if (part.members.get(i).value != null) assertFinishedAsInWhole(part.members.get(i).value, whole.members.get(i).value, prefix);
        }
        for (int i = 0; i < part.items.size(); i++) assertFinishedAsInWhole(part.items.get(i), whole.items.get(i), prefix);
    }

    /** Random JSON as models write it: nested, spaced or not, strings with escapes and non-ASCII text. */
    private static String randomJson(Random random) {
        StringBuilder s = new StringBuilder();
        if (random.nextBoolean()) s.append(" \n".charAt(random.nextInt(2)));
        value(random, s, 3);
        return s.toString();
    }

    private static void value(Random random, StringBuilder s, int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 6);
        String sp = random.nextBoolean() ? "" : " ";
        switch (kind) {
            case 0 -> string(random, s);
            case 1 -> s.append(random.nextInt(2000) - 1000);
            case 2 -> s.append(List.of("0", "-0.5", "1e10", "2.5E-3", "-12.75", "100").get(random.nextInt(6)));
            case 3 -> s.append(random.nextBoolean() ? "true" : "false");
            case 4 -> s.append("null");
            case 5 -> string(random, s);
            case 6, 7 -> {
                s.append('{');
                for (int i = random.nextInt(4); i > 0; i--) {
                    string(random, s);
                    s.append(sp).append(':').append(sp);
                    value(random, s, depth - 1);
                    if (i > 1) s.append(',').append(sp);
                }
                s.append('}');
            }
            default -> {
                s.append('[');
                for (int i = random.nextInt(4); i > 0; i--) {
                    value(random, s, depth - 1);
                    if (i > 1) s.append(',').append(sp);
                }
                s.append(']');
            }
        }
    }

    private static void string(Random random, StringBuilder s) {
        s.append('"');
        for (int i = random.nextInt(6); i > 0; i--) {
            s.append(List.of("a", "Z", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "é", "日", "😀", "{", "}", "[", "<", "/", "\\/")
                    .get(random.nextInt(17)));
        }
        s.append('"');
    }
}
