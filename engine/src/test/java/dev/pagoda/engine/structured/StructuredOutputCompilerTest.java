package dev.pagoda.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.sample.InvalidSamplingParamsException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compiler's cache (keyed by the constraint, not the field it came from; bounded) and its errors. */
class StructuredOutputCompilerTest {

    private static StructuredOutputCompiler compiler(int size) {
        Vocabularies.Loaded v = Vocabularies.synthetic();
        return new StructuredOutputCompiler(v::vocabulary, size);
    }

    @Test
    void theSameConstraintFromAnotherFieldIsACacheHit() {
        StructuredOutputCompiler c = compiler(4);
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        CompiledGrammar first = c.compile(new StructuredOutput.JsonSchema(schema, true, "response_format"));
        assertSame(first, c.compile(new StructuredOutput.JsonSchema(schema, true, "structured_outputs.json")));
        assertNotSame(first, c.compile(new StructuredOutput.JsonSchema(schema, false, "response_format")), "strict is part of the key");
        assertEquals(2, c.cached());
    }

    @Test
    void theLeastRecentlyUsedIsEvictedPastTheBound() {
        StructuredOutputCompiler c = compiler(2);
        CompiledGrammar a = c.compile(new StructuredOutput.Regex("a+", "guided_regex"));
        c.compile(new StructuredOutput.Regex("b+", "guided_regex"));
        assertSame(a, c.compile(new StructuredOutput.Regex("a+", "guided_regex"))); // a is now the most recent
        c.compile(new StructuredOutput.Regex("c+", "guided_regex")); // evicts b
        assertEquals(2, c.cached());
        assertSame(a, c.compile(new StructuredOutput.Regex("a+", "guided_regex")));
    }

    @Test
    void errorsNameTheFieldAndWhatIsWrong() {
        StructuredOutputCompiler c = compiler(4);
        InvalidSamplingParamsException e = assertThrows(InvalidSamplingParamsException.class,
                () -> c.compile(new StructuredOutput.JsonSchema("{\"type\":\"array\",\"uniqueItems\":true}", true, "response_format")));
        assertEquals("response_format", e.parameter());
        assertTrue(e.getMessage().contains("\"uniqueItems\"") && e.getMessage().contains("not supported"), e.getMessage());
        // not strict: the keyword is ignored
        c.compile(new StructuredOutput.JsonSchema("{\"type\":\"array\",\"uniqueItems\":true}", false, "response_format"));
        assertEquals("guided_choice", assertThrows(InvalidSamplingParamsException.class,
                () -> c.compile(new StructuredOutput.Choice(List.of(), "guided_choice"))).parameter());
        StructuredOutputCompiler none = new StructuredOutputCompiler(null, 4);
        InvalidSamplingParamsException noTokenizer = assertThrows(InvalidSamplingParamsException.class,
                () -> none.compile(new StructuredOutput.JsonObject("response_format")));
        assertTrue(noTokenizer.getMessage().contains("tokenizer"), noTokenizer.getMessage());
    }
}
