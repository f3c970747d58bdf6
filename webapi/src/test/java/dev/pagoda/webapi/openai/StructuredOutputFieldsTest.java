package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.ApiException;
import dev.pagoda.webapi.testing.Http;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * response_format, structured_outputs and guided_* onto the engine's {@link StructuredOutput}: each
 * form becomes the constraint it names; anything else, and two constraints at once, is a 400
 * naming the field. (The same 400s over HTTP, with the engine serving on: {@code StrictFieldsTest}.)
 */
class StructuredOutputFieldsTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}";

    private static StructuredOutput read(String body) {
        try {
            return StructuredOutputFields.read(new Fields((ObjectNode) Http.JSON.readTree(body)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String canonical(String json) {
        try {
            return Http.JSON.readTree(json).toString();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachFormMapsOntoItsConstraint() {
        assertNull(read("{}"));
        assertNull(read("{\"response_format\":{\"type\":\"text\"}}"));
        assertNull(read("{\"response_format\":null,\"guided_json\":null}"));
        assertEquals(new StructuredOutput.JsonObject("response_format"), read("{\"response_format\":{\"type\":\"json_object\"}}"));
        assertEquals(new StructuredOutput.JsonSchema(canonical(SCHEMA), true, "response_format"), read(
                "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":" + SCHEMA + ",\"strict\":true}}}"));
        assertEquals(new StructuredOutput.JsonSchema(canonical(SCHEMA), false, "response_format"), read(
                "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":" + SCHEMA + "}}}"));
        assertEquals(new StructuredOutput.JsonSchema(canonical(SCHEMA), false, "structured_outputs.json"),
                read("{\"structured_outputs\":{\"json\":" + SCHEMA + "}}"));
        assertEquals(new StructuredOutput.JsonSchema(canonical(SCHEMA), false, "structured_outputs.json"),
                read("{\"structured_outputs\":{\"json\":" + Http.JSON.valueToTree(SCHEMA) + "}}"), "schema given as JSON text");
        assertEquals(new StructuredOutput.Regex("[a-z]+@[a-z]+\\.com", "structured_outputs.regex"),
                read("{\"structured_outputs\":{\"regex\":\"[a-z]+@[a-z]+\\\\.com\"}}"));
        assertEquals(new StructuredOutput.Choice(List.of("yes", "no"), "structured_outputs.choice"),
                read("{\"structured_outputs\":{\"choice\":[\"yes\",\"no\"]}}"));
        assertEquals(new StructuredOutput.Grammar("root ::= \"a\"", "structured_outputs.grammar"),
                read("{\"structured_outputs\":{\"grammar\":\"root ::= \\\"a\\\"\"}}"));
        assertEquals(new StructuredOutput.JsonObject("structured_outputs.json_object"),
                read("{\"structured_outputs\":{\"json_object\":true}}"));
        assertNull(read("{\"structured_outputs\":{\"json_object\":false}}"));
        assertEquals(new StructuredOutput.JsonSchema(canonical(SCHEMA), false, "guided_json"), read("{\"guided_json\":" + SCHEMA + "}"));
        assertEquals(new StructuredOutput.Regex("\\d+", "guided_regex"), read("{\"guided_regex\":\"\\\\d+\"}"));
        assertEquals(new StructuredOutput.Choice(List.of("a", "b", "c"), "guided_choice"), read("{\"guided_choice\":[\"a\",\"b\",\"c\"]}"));
        assertEquals(new StructuredOutput.Grammar("root ::= x", "guided_grammar"), read("{\"guided_grammar\":\"root ::= x\"}"));
    }

    /** (param, request body): each a 400 naming param; shared with StrictFieldsTest, which sends them over HTTP. */
    static Stream<Arguments> mistakes() {
        return Stream.of(
            Arguments.of("response_format", "{\"response_format\":{\"type\":\"nonsense\"}}"),
            Arguments.of("response_format.type", "{\"response_format\":{}}"),
            Arguments.of("response_format", "{\"response_format\":\"json\"}"),
            Arguments.of("response_format.json_schema", "{\"response_format\":{\"type\":\"json_schema\"}}"),
            Arguments.of("response_format.json_schema.name", "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}}"),
            Arguments.of("response_format.json_schema.schema", "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}"),
            Arguments.of("response_format.json_schema.schema", "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":[1]}}}"),
            Arguments.of("response_format.json_schema.strict", "{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{},\"strict\":\"yes\"}}}"),
            Arguments.of("structured_outputs.structural_tag", "{\"structured_outputs\":{\"structural_tag\":\"x\"}}"),
            Arguments.of("structured_outputs.json", "{\"structured_outputs\":{\"json\":\"{not json\"}}"),
            Arguments.of("structured_outputs.json", "{\"structured_outputs\":{\"json\":42}}"),
            Arguments.of("structured_outputs.choice", "{\"structured_outputs\":{\"choice\":[]}}"),
            Arguments.of("structured_outputs.choice", "{\"structured_outputs\":{\"choice\":[\"a\",1]}}"),
            Arguments.of("structured_outputs.regex", "{\"structured_outputs\":{\"regex\":5}}"),
            Arguments.of("structured_outputs.json_object", "{\"structured_outputs\":{\"json_object\":\"yes\"}}"),
            Arguments.of("structured_outputs", "{\"structured_outputs\":[1]}"),
            Arguments.of("structured_outputs.regex", "{\"structured_outputs\":{\"choice\":[\"a\"],\"regex\":\"a\"}}"),
            Arguments.of("guided_regex", "{\"response_format\":{\"type\":\"json_object\"},\"guided_regex\":\"a\"}"),
            Arguments.of("guided_json", "{\"guided_json\":{},\"structured_outputs\":{\"json\":{}}}"),
            Arguments.of("guided_choice", "{\"guided_choice\":\"yes\"}"),
            Arguments.of("guided_grammar", "{\"guided_grammar\":{}}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mistakes")
    void everythingElseIsA400NamingTheField(String param, String body) {
        ApiException e = assertThrows(ApiException.class, () -> read(body));
        assertEquals(400, e.status());
        // two constraints at once name the second one
        assertEquals(param, e.error().param(), e.getMessage());
    }

    @Test
    void aNonsenseTypeNamesTheAllowedValues() {
        ApiException e = assertThrows(ApiException.class, () -> read("{\"response_format\":{\"type\":\"nonsense\"}}"));
        JsonNode body = Http.JSON.valueToTree(e.error());
        for (String v : List.of("'text'", "'json_object'", "'json_schema'")) {
            org.junit.jupiter.api.Assertions.assertTrue(body.get("message").asText().contains(v), body.toString());
        }
    }
}
