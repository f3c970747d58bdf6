package dev.pagoda.engine.structured;

import dev.pagoda.engine.structured.cfg.CfgParser;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.json.JsonSchemaCompiler;
import dev.pagoda.engine.structured.json.JsonSyntax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Token-mask computation per token per sequence on a real ~150k vocabulary (Qwen3's, from the
 * npm reference package): for each grammar, its compile time (automaton + precomputed tables),
 * then the time of every {@link GrammarMatcher#fillMask} along random valid outputs (each next
 * token drawn from the mask itself), after a warm-up. Prints median, p99 and mean per mask. Not
 * a test: a tool; run it from the engine's test classpath (docs/architecture.md, Benchmarks).
 *
 * <p>Usage: {@code MaskBench [vocabulary=qwen3] [outputs=40] [maxTokens=200] [threads=2]}.
 */
public final class MaskBench {

    public static void main(String[] args) {
        String vocabName = args.length > 0 ? args[0] : "qwen3";
        int outputs = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int maxTokens = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        long start = System.nanoTime();
        Vocabularies.Loaded v = Vocabularies.real(vocabName);
        System.out.printf(Locale.ROOT, "vocabulary %s: %d ids, %d trie nodes (tokenizer, token bytes and trie: %.0f ms)%n", vocabName,
                v.vocabulary().size(), v.trie().nodes(), (System.nanoTime() - start) / 1e6);
        for (Map.Entry<String, Grammar> e : grammars().entrySet()) {
            CompiledGrammar g = null;
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) { // the first compiles warm the JIT up
                g = CompiledGrammar.compile(e.getValue(), v.vocabulary(), v.trie(), threads);
                best = Math.min(best, g.compileNanos());
            }
            run(g, 5, maxTokens, new Random(1), null); // warm-up
            List<Long> times = new ArrayList<>();
            int tokens = run(g, outputs, maxTokens, new Random(2), times);
            long[] t = times.stream().mapToLong(Long::longValue).sorted().toArray();
            double mean = Arrays.stream(t).average().orElse(0);
            System.out.printf(Locale.ROOT, "%-16s compile %7.1f ms (%d states, %d tables of %.1f MiB, %d escape nodes) | mask: median %6.1f us, p99 %7.1f us, mean %6.1f us over %d masks (%d outputs, %d tokens)%n",
                    e.getKey(), best / 1e6, g.automaton().states(), g.tables().walks(), g.tables().bytes() / 1048576.0, g.tables().escapeEntries(), t[t.length / 2] / 1e3,
                    t[(int) (t.length * 0.99)] / 1e3, mean / 1e3, t.length, outputs, tokens);
        }
    }

    /** Realistic constraints: four JSON Schemas (test resources structured/bench), any JSON object, JSON in GBNF, arithmetic in Lark. */
    static Map<String, Grammar> grammars() {
        Map<String, Grammar> g = new LinkedHashMap<>();
        for (String schema : new String[] {"tool-call", "person", "order", "file-tree"}) {
            g.put(schema + ".json", JsonSchemaCompiler.compile(resource("bench/" + schema + ".json"), true));
        }
        g.put("json_object", JsonSyntax.anyObject());
        g.put("json.gbnf", CfgParser.parse(resource("cfg/json.gbnf")));
        g.put("calc.lark", CfgParser.parse(resource("cfg/calc.lark")));
        return g;
    }

    private static String resource(String name) {
        try (var in = MaskBench.class.getResourceAsStream("/dev/pagoda/engine/structured/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Random outputs, each token drawn uniformly from the mask; times every fillMask into {@code times} when not null. */
    private static int run(CompiledGrammar g, int outputs, int maxTokens, Random r, List<Long> times) {
        long[] mask = new long[g.vocabulary().maskWords()];
        int[] allowed = new int[g.vocabulary().size()];
        int tokens = 0;
        for (int o = 0; o < outputs; o++) {
            GrammarMatcher m = g.newMatcher();
            for (int i = 0; i < maxTokens && !m.isTerminated(); i++) {
                long start = System.nanoTime();
                m.fillMask(mask);
                long took = System.nanoTime() - start;
                if (times != null) times.add(took);
                int n = 0;
                for (int w = 0; w < mask.length; w++) {
                    for (long x = mask[w]; x != 0; x &= x - 1) allowed[n++] = w * 64 + Long.numberOfTrailingZeros(x);
                }
                if (n == 0) break;
                // prefer ending once past half the budget, so outputs finish
                int pick = allowed[r.nextInt(n)];
                if (i > maxTokens / 2 && m.canEnd()) pick = g.vocabulary().endTokens()[0];
                if (!m.accept(pick)) throw new IllegalStateException("a token of the mask was refused");
                tokens++;
            }
        }
        return tokens;
    }
}
