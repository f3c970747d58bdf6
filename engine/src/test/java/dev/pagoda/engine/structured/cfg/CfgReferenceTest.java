package dev.pagoda.engine.structured.cfg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.AutomatonBuilder;
import dev.pagoda.engine.structured.automaton.PdaMatcher;
import dev.pagoda.engine.structured.grammar.GrammarException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GBNF and Lark grammars (arithmetic with left recursion, JSON in both notations, a list, a
 * query language with case-insensitive keywords and ~ repetition) against the verdicts of the
 * Lark parser recorded in {@code verdicts.json} (see the fixture's README for how they were made).
 */
class CfgReferenceTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = CfgReferenceTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static boolean accepts(Automaton a, String s) {
        PdaMatcher m = new PdaMatcher(a);
        return m.advance(s.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
    }

    @Test
    void verdictsEqualLarks() throws IOException {
        JsonNode verdicts = new ObjectMapper().readTree(resource("verdicts.json"));
        int grammars = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = verdicts.fields(); it.hasNext(); grammars++) {
            Map.Entry<String, JsonNode> g = it.next();
            Automaton a = AutomatonBuilder.build(CfgParser.parse(resource(g.getKey())));
            int accepted = 0;
            for (JsonNode c : g.getValue()) {
                String s = c.get(0).asText();
                boolean expected = c.get(1).asBoolean();
                assertEquals(expected, accepts(a, s), g.getKey() + " on \"" + s.replace("\n", "\\n") + "\"");
                if (expected) accepted++;
            }
            assertTrue(accepted > 20 && accepted < g.getValue().size() - 20, g.getKey() + ": " + accepted + " of " + g.getValue().size() + " accepted");
        }
        assertEquals(6, grammars);
    }

    @Test
    void syntaxErrorsNameTheLine() {
        for (String bad : List.of("root ::= \"a\n", "root ::= [a-", "root ::= (\"a\"", "root ::= x{3,1}", "start: \"a\" | \n %declare X",
                "start: foo{x}", "start: /a/i", "start: \"a\"\n%import other.X")) {
            GrammarException e = assertThrows(GrammarException.class, () -> CfgParser.parse(bad), bad);
            assertTrue(e.getMessage().contains("line"), e.getMessage());
        }
        assertTrue(assertThrows(GrammarException.class, () -> CfgParser.parse("item ::= \"a\"")).getMessage().contains("root"));
        assertTrue(assertThrows(GrammarException.class, () -> CfgParser.parse("item: \"a\"")).getMessage().contains("start"));
        // left recursion behind an optional prefix cannot be rewritten
        assertTrue(assertThrows(GrammarException.class, () -> AutomatonBuilder.build(CfgParser.parse("root ::= x\nx ::= \"c\"? x \"a\" | \"b\"")))
                .getMessage().contains("left recursion"));
    }

    @Test
    void indirectLeftRecursionThroughASingleUseRuleIsRewritten() {
        // y is pasted into x, which is then directly left-recursive: x = "b" "a" ("a")*
        Automaton a = AutomatonBuilder.build(CfgParser.parse("root ::= x\nx ::= y \"a\"\ny ::= x | \"b\""));
        assertTrue(accepts(a, "ba") && accepts(a, "baaa"));
        assertTrue(!accepts(a, "b") && !accepts(a, "aba") && !accepts(a, ""));
    }
}
