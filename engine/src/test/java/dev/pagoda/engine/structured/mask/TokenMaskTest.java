package dev.pagoda.engine.structured.mask;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.structured.CompiledGrammar;
import dev.pagoda.engine.structured.Vocabularies;
import dev.pagoda.engine.structured.cfg.CfgParser;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.json.JsonSchemaCompiler;
import dev.pagoda.engine.structured.json.JsonSyntax;
import dev.pagoda.engine.structured.regex.RegexParser;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Token masks from the trie walk and the precomputed tables equal the naive mask (every token
 * tried on the matcher) at many states along random valid outputs, on the synthetic 512-token
 * vocabulary and on the real 32k Llama-2 (SentencePiece, byte fallback) and 151k Qwen3
 * vocabularies: a non-recursive grammar (all context-independent), any JSON object (recursion:
 * tokens that cross a rule's end are checked against the stack), a CFG whose kept rules end
 * mid-token in many ways, JSON in GBNF, left-recursive arithmetic in Lark with %ignore, and JSON
 * Schemas: a tool call (one DFA), an order (a repeated item kept as a rule: calls) and a
 * recursive file tree.
 */
class TokenMaskTest {

    static Map<String, Grammar> grammars() {
        Map<String, Grammar> g = new LinkedHashMap<>();
        g.put("regex", Grammar.of(RegexParser.parse("(\\d{1,3}(,\\d{3})*|[a-z_]+\\(\\s?\\)|\"[^\"\\n]{0,8}\")( [+*] (\\d+|[A-Z]+))*").body()));
        g.put("json_object", JsonSyntax.anyObject());
        Map<String, Expr> rules = new LinkedHashMap<>();
        rules.put("root", Expr.seq(Expr.ref("list"), Expr.optional(Expr.literal("\n"))));
        rules.put("list", Expr.seq(Expr.literal("("), Expr.star(Expr.seq(Expr.ref("item"), Expr.optional(Expr.literal(" ")))), Expr.literal(")")));
        rules.put("item", Expr.alt(Expr.ref("list"), Expr.repeat(Expr.chars(dev.pagoda.engine.structured.grammar.CodepointSet.range('a', 'e')), 1, 3),
                Expr.literal("é"), Expr.literal("😀")));
        g.put("s-expressions", new Grammar("root", rules));
        g.put("json.gbnf", CfgParser.parse(resource("cfg/json.gbnf")));
        g.put("calc.lark", CfgParser.parse(resource("cfg/calc.lark")));
        for (String schema : new String[] {"tool-call", "order", "file-tree"}) {
            g.put(schema + ".json", JsonSchemaCompiler.compile(resource("bench/" + schema + ".json"), true));
        }
        return g;
    }

    private static String resource(String name) {
        try (var in = TokenMaskTest.class.getResourceAsStream("/dev/pagoda/engine/structured/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void compare(Vocabularies.Loaded v, int seeds, int outputs, int steps, String name) {
        int states = 0;
        for (Map.Entry<String, Grammar> e : grammars().entrySet()) {
            CompiledGrammar g = v.compile(e.getValue());
            for (long seed = 0; seed < seeds; seed++) {
                states += NaiveMaskCheck.compareAlongRandomOutputs(g, seed, outputs, steps, name + " " + e.getKey());
            }
        }
        assertTrue(states > 20, states + " states compared");
    }

    @Test
    void syntheticVocabulary() {
        compare(Vocabularies.synthetic(), 3, 4, 40, "synthetic");
    }

    @Test
    void llama2Vocabulary() {
        compare(Vocabularies.real("llama2"), 2, 1, 25, "llama2");
    }

    @Test
    void qwen3Vocabulary() {
        compare(Vocabularies.real("qwen3"), 1, 1, 8, "qwen3");
    }
}
