package dev.pagoda.webapi.openai.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The schemas {@code tool_choice: "required"} and a named function constrain decoding to, judged by
 * an independent JSON Schema validator (networknt, draft 2020-12): every list of calls the tools
 * allow is accepted, and no list with an unknown name, wrong arguments, an extra key, no call, or
 * (without parallel calls) two calls. What the schema accepts, the required-choice reader turns into
 * exactly those calls.
 */
class ToolSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry VALIDATOR = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static final String TOOLS = """
            [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
               "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
               "required": ["city"], "additionalProperties": false}}},
             {"type": "function", "function": {"name": "search", "parameters": {"type": "object",
               "properties": {"q": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}}, "required": ["q", "limit"]}}},
             {"type": "function", "function": {"name": "set_alarm", "parameters": {"type": "object",
               "properties": {"at": {"$ref": "#/$defs/Time"}, "days": {"type": "array", "items": {"enum": ["mon", "tue"]}, "maxItems": 2}},
               "required": ["at"], "$defs": {"Time": {"type": "object", "properties": {"h": {"type": "integer"}, "m": {"type": "integer"}},
               "required": ["h", "m"]}}}}},
             {"type": "function", "function": {"name": "ping"}}]""";

    /** Per tool: arguments its schema allows, and arguments it does not. */
    private static final Map<String, List<List<String>>> ARGUMENTS = Map.of(
            "get_weather", List.of(List.of("{\"city\": \"Paris\"}", "{\"city\": \"Köln\", \"unit\": \"celsius\"}"),
                    List.of("{}", "{\"city\": 3}", "{\"city\": \"x\", \"unit\": \"kelvin\"}", "{\"city\": \"x\", \"extra\": 1}")),
            "search", List.of(List.of("{\"q\": \"cats\", \"limit\": 3}"), List.of("{\"q\": \"cats\"}", "{\"q\": \"c\", \"limit\": 0}")),
            "set_alarm", List.of(List.of("{\"at\": {\"h\": 7, \"m\": 30}}", "{\"at\": {\"h\": 7, \"m\": 0}, \"days\": [\"mon\"]}"),
                    List.of("{\"at\": {\"h\": 7}}", "{\"at\": {\"h\": 7, \"m\": 0}, \"days\": [\"sun\"]}")),
            "ping", List.of(List.of("{}"), List.of("[]", "\"x\"")));

    private static ToolRequest tools(String toolsJson, String choice, boolean parallel) {
        String body = "{\"tools\": " + toolsJson + ", \"tool_choice\": " + choice + ", \"parallel_tool_calls\": " + parallel + "}";
        ObjectNode fields;
        try {
            fields = (ObjectNode) JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return ToolRequest.read(name -> Optional.ofNullable(fields.get(name)));
    }

    private static Schema schemaOf(ToolRequest request) {
        StructuredOutput constraint = AssistantOutput.forRequest(request, ToolParsing.NONE, Map.of()).constraint().orElseThrow();
        return VALIDATOR.getSchema(((StructuredOutput.JsonSchema) constraint).schemaJson(), InputFormat.JSON);
    }

    private static boolean accepts(Schema schema, String json) {
        return schema.validate(json, InputFormat.JSON).isEmpty();
    }

    private static String call(String name, String arguments) {
        return "{\"name\": \"" + name + "\", \"parameters\": " + arguments + "}";
    }

    @Test
    void requiredAcceptsExactlyTheCallsTheToolsAllow() throws Exception {
        Schema parallel = schemaOf(tools(TOOLS, "\"required\"", true));
        Schema single = schemaOf(tools(TOOLS, "\"required\"", false));
        List<String> validCalls = new ArrayList<>();
        for (var e : ARGUMENTS.entrySet()) {
            for (String good : e.getValue().get(0)) {
                String one = "[" + call(e.getKey(), good) + "]";
                assertTrue(accepts(parallel, one), one);
                assertTrue(accepts(single, one), one);
                validCalls.add(call(e.getKey(), good));
                // What the grammar allows reads back as those calls.
                ParsedOutput read = new RequiredCallsParser().parse(one, true);
                assertEquals(e.getKey(), read.calls().getFirst().name());
                assertEquals(JSON.readTree(good), JSON.readTree(read.calls().getFirst().arguments()));
            }
            for (String bad : e.getValue().get(1)) assertFalse(accepts(parallel, "[" + call(e.getKey(), bad) + "]"), e.getKey() + " " + bad);
        }
        String many = "[" + String.join(", ", validCalls) + "]";
        assertTrue(accepts(parallel, many), many);
        assertFalse(accepts(single, many), "parallel_tool_calls false: one call at most");
        assertEquals(validCalls.size(), new RequiredCallsParser().parse(many, true).calls().size());
        for (String bad : List.of("[]", "{}", "[{\"name\": \"nope\", \"parameters\": {}}]", "[{\"name\": \"ping\"}]",
                "[{\"name\": \"ping\", \"parameters\": {}, \"x\": 1}]", "[{\"parameters\": {}}]")) {
            assertFalse(accepts(parallel, bad), bad);
        }
    }

    @Test
    void namedIsTheFunctionsOwnSchema() throws Exception {
        JsonNode tools = JSON.readTree(TOOLS);
        for (int i = 0; i < tools.size(); i++) {
            String name = tools.get(i).at("/function/name").asText();
            ToolRequest request = tools(TOOLS, "{\"type\": \"function\", \"function\": {\"name\": \"" + name + "\"}}", true);
            var constraint = (StructuredOutput.JsonSchema) AssistantOutput.forRequest(request, ToolParsing.NONE, Map.of()).constraint().orElseThrow();
            assertEquals("tools[" + i + "].function.parameters", constraint.parameter(), "a bad schema's 400 names the tool's parameters");
            Schema schema = VALIDATOR.getSchema(constraint.schemaJson(), InputFormat.JSON);
            for (String good : ARGUMENTS.get(name).get(0)) assertTrue(accepts(schema, good), name + " " + good);
            for (String bad : ARGUMENTS.get(name).get(1)) assertFalse(accepts(schema, bad), name + " " + bad);
        }
    }

    @Test
    void definitionsMoveToTheTopAndMustAgree() {
        String clash = """
                [{"type": "function", "function": {"name": "a", "parameters": {"type": "object", "properties": {"x": {"$ref": "#/$defs/T"}},
                   "$defs": {"T": {"type": "string"}}}}},
                 {"type": "function", "function": {"name": "b", "parameters": {"type": "object", "properties": {"y": {"$ref": "#/$defs/T"}},
                   "$defs": {"T": {"type": "integer"}}}}}]""";
        ApiException e = assertThrows(ApiException.class, () -> schemaOf(tools(clash, "\"required\"", true)));
        assertEquals("tools[1].function.parameters", e.error().param());
        assertEquals(400, e.status());
    }
}
