package dev.pagoda.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.api.FinishReason;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import dev.pagoda.engine.sample.SamplingParams;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.engine.telemetry.KvSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structured output end to end on the tiny random model (CPU engine): with every kind of
 * constraint, greedy and sampled, n > 1, under preemption and prefix caching, every completed
 * output satisfies its constraint by an independent check — networknt's JSON Schema validator,
 * Jackson for JSON objects, {@code java.util.regex} for regexes and for the regular CFGs — and
 * every KV block comes back. The constraints are bounded (their languages are finite), so a
 * random model still reaches the end of each within max_tokens.
 */
class StructuredOutputEngineTest {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(com.networknt.schema.SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final tools.jackson.databind.ObjectMapper JSON = new tools.jackson.databind.ObjectMapper();
    private static final int MAX_TOKENS = 400;

    static Path folder;

    @BeforeAll
    static void writeModel(@TempDir Path tmp) {
        folder = EngineHarness.writeFixture(tmp);
    }

    /** A constraint and the independent check of a finished output. */
    record Case(StructuredOutput constraint, Predicate<String> valid) {}

    static Case schema(String schema) {
        var validator = SCHEMAS.getSchema(schema, InputFormat.JSON);
        return new Case(new StructuredOutput.JsonSchema(schema, true, "response_format"), text -> {
            try {
                return validator.validate(JSON.readTree(text)).isEmpty();
            } catch (RuntimeException notJson) {
                return false;
            }
        });
    }

    static Case regex(String regex, String parameter, StructuredOutput constraint) {
        Pattern p = Pattern.compile(regex);
        return new Case(constraint, text -> p.matcher(text).matches());
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(schema("""
                {"type":"object","properties":{"name":{"type":"string","maxLength":6},"age":{"type":"integer","minimum":0,"maximum":120},
                 "tags":{"type":"array","items":{"enum":["a","b","c"]},"maxItems":3}},"required":["name","age"],"additionalProperties":false}"""));
        cases.add(schema("""
                {"type":"array","items":{"type":"object","properties":{"x":{"type":"number","minimum":-5,"maximum":5},"ok":{"type":"boolean"}},
                 "required":["x"],"additionalProperties":false},"minItems":1,"maxItems":3}"""));
        cases.add(schema("""
                {"anyOf":[{"type":"string","pattern":"^[a-z]{2,5}$"},{"type":"integer","minimum":10,"maximum":99},{"type":"null"}]}"""));
        cases.add(schema("""
                {"$defs":{"pt":{"type":"object","properties":{"x":{"type":"integer","minimum":0,"maximum":9},"y":{"type":"integer","minimum":0,"maximum":9}},
                 "required":["x","y"],"additionalProperties":false}},"type":"object","properties":{"from":{"$ref":"#/$defs/pt"},"to":{"$ref":"#/$defs/pt"},
                 "kind":{"const":"segment"}},"required":["from","to","kind"],"additionalProperties":false}"""));
        cases.add(schema("""
                {"type":"object","properties":{"day":{"type":"string","format":"date"},"id":{"type":"string","format":"uuid"}},"required":["day","id"],"additionalProperties":false}"""));
        cases.add(regex("(yes|no|maybe)( [0-9]{1,3})?", "structured_outputs.regex",
                new StructuredOutput.Regex("(yes|no|maybe)( [0-9]{1,3})?", "structured_outputs.regex")));
        cases.add(new Case(new StructuredOutput.Choice(List.of("red", "green", "blue", "dark blue"), "structured_outputs.choice"),
                List.of("red", "green", "blue", "dark blue")::contains));
        cases.add(regex("([a-z]{1,4}|[0-9]{1,3})(, ?([a-z]{1,4}|[0-9]{1,3})){0,3}", "structured_outputs.grammar",
                new StructuredOutput.Grammar("root ::= item (\",\" \" \"? item){0,3}\nitem ::= [a-z]{1,4} | [0-9]{1,3}\n", "structured_outputs.grammar")));
        cases.add(regex(" *[a-z]{1,5} *= *([0-9]{1,4}|true|false)( *; *[a-z]{1,5} *= *([0-9]{1,4}|true|false)){0,2} *", "guided_grammar",
                new StructuredOutput.Grammar("start: pair (\";\" pair)~0..2\npair: KEY \"=\" VALUE\nKEY: /[a-z]{1,5}/\nVALUE: /[0-9]{1,4}/ | \"true\" | \"false\"\n%ignore \" \"\n",
                        "guided_grammar")));
        return cases;
    }

    private static SamplingParams params(StructuredOutput c, boolean greedy, long seed, int n, int maxTokens) {
        return SamplingParams.builder().structuredOutput(c).maxTokens(maxTokens).n(n).seed(seed).temperature(greedy ? 0 : 1.0).build();
    }

    /** Submits every case greedy and sampled (n = 2) at once; checks every output; returns how many finished by their grammar. */
    static int runAll(LocalEngine engine, int[] sharedPrefix, Random random, int maxTokens) throws InterruptedException {
        List<Case> cases = cases();
        List<RequestStream> streams = new ArrayList<>();
        List<Case> of = new ArrayList<>();
        int id = 0;
        for (Case c : cases) {
            for (boolean greedy : new boolean[] {true, false}) {
                int[] prompt = concat(sharedPrefix, random.ints(1 + random.nextInt(12), 0, TestModels.tokenizer().size() - 8).toArray());
                streams.add(engine.submit(EngineHarness.request("s" + id++, prompt, params(c.constraint(), greedy, random.nextLong(), 2, maxTokens))));
                of.add(c);
            }
        }
        int stopped = 0;
        for (int i = 0; i < streams.size(); i++) {
            EngineHarness.Result r = EngineHarness.collect(streams.get(i), 2);
            assertNull(r.last().error(), "request " + i + " " + of.get(i).constraint());
            for (int sample = 0; sample < 2; sample++) {
                String text = r.texts().get(sample);
                if (r.reasons().get(sample) == FinishReason.LENGTH) continue; // cut by max_tokens: no complete output to check
                assertEquals(FinishReason.STOP, r.reasons().get(sample));
                assertTrue(of.get(i).valid().test(text), "request " + i + " sample " + sample + " under " + of.get(i).constraint()
                        + " produced an invalid output: " + text);
                stopped++;
            }
        }
        return stopped;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static void assertAllBlocksBack(LocalEngine engine) {
        engine.pause();
        engine.step();
        KvSnapshot kv = engine.state().kvSnapshot();
        assertEquals(kv.numBlocks(), kv.count(KvSnapshot.BlockState.FREE) + kv.count(KvSnapshot.BlockState.CACHED_FREE), kv.toString());
        engine.resume();
    }

    private static long blockBytes(int blockSize) {
        return 2L * TestModels.LAYERS * TestModels.KV_HEADS * TestModels.HEAD_DIM * Float.BYTES * blockSize;
    }

    @Test
    void everyConstraintKindGivesValidOutputsGreedyAndSampled() throws InterruptedException {
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).maxModelLen(512).kvCacheMemoryBytes(400 * blockBytes(16)).build())) {
            int stopped = runAll(engine, new int[0], new Random(1), MAX_TOKENS);
            assertTrue(stopped >= cases().size() * 3, stopped + " of " + cases().size() * 4 + " outputs ended by their grammar");
            assertAllBlocksBack(engine);
        }
    }

    @Test
    void underPreemptionAndPrefixCachingOutputsStayValid() throws InterruptedException {
        // 36 sequences of some 80 tokens each in 40 blocks of 8 (room for one of 240 tokens): they cannot all hold their KV at once
        EngineConfig config = EngineHarness.config(folder).maxModelLen(256).blockSize(8).kvCacheMemoryBytes(40 * blockBytes(8)).build();
        try (LocalEngine engine = EngineHarness.start(config)) {
            int[] shared = new Random(7).ints(24, 0, TestModels.tokenizer().size() - 8).toArray();
            int stopped = runAll(engine, shared, new Random(2), 200);
            assertTrue(stopped >= cases().size() * 3, stopped + " outputs ended by their grammar");
            var totals = engine.state().totals();
            assertTrue(totals.preemptions() > 0, "the small pool must force preemptions: " + totals);
            assertTrue(totals.prefixCacheHits() > 0, "the shared prefix must hit the cache: " + totals);
            assertAllBlocksBack(engine);
        }
    }

    @Test
    void aBadConstraintFailsItsRequestAloneNamingTheParameter() throws InterruptedException {
        try (LocalEngine engine = EngineHarness.start(EngineHarness.config(folder).maxModelLen(512).build())) {
            Case good = cases().get(5);
            RequestStream running = engine.submit(EngineHarness.request("good", new int[] {1, 2, 3}, params(good.constraint(), true, 1, 1, MAX_TOKENS)));
            List<StructuredOutput> bad = List.of(
                    new StructuredOutput.JsonSchema("{\"type\":\"object\",\"uniqueItems\":true}", true, "response_format"),
                    new StructuredOutput.JsonSchema("{\"type\": ", false, "structured_outputs.json"),
                    new StructuredOutput.Regex("a(?=b)", "structured_outputs.regex"),
                    new StructuredOutput.Grammar("root ::= [a-", "guided_grammar"),
                    new StructuredOutput.Choice(List.of(), "guided_choice"));
            for (StructuredOutput b : bad) {
                InvalidSamplingParamsException e = assertThrows(InvalidSamplingParamsException.class,
                        () -> engine.submit(EngineHarness.request("bad", new int[] {1, 2}, params(b, true, 1, 1, MAX_TOKENS))), b.toString());
                assertEquals(b.parameter(), e.parameter());
                assertTrue(e.getMessage().startsWith(b.parameter() + ": "), e.getMessage());
            }
            EngineHarness.Result r = EngineHarness.collect(running, 1);
            assertNull(r.last().error());
            assertTrue(r.reasons().get(0) == FinishReason.LENGTH || good.valid().test(r.texts().get(0)), r.texts().get(0));
            assertAllBlocksBack(engine);
        }
    }
}
