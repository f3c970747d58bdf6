package dev.pagoda.webapi.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.structured.StructuredOutput;
import dev.pagoda.webapi.server.ApiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request fields that constrain the output, mapped onto the engine's {@link StructuredOutput}:
 * OpenAI's {@code response_format} ({@code text}, {@code json_object}, {@code json_schema}), vLLM's
 * {@code structured_outputs} ({@code json}, {@code regex}, {@code choice}, {@code grammar},
 * {@code json_object}) and vLLM's older {@code guided_json}, {@code guided_regex},
 * {@code guided_choice}, {@code guided_grammar}. One constraint per request: a second is a 400, as is
 * any value these fields do not define. Whether a schema or grammar compiles is the engine's check.
 */
final class StructuredOutputFields {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STRUCTURED_KEYS = Set.of("json", "regex", "choice", "grammar", "json_object");

    private StructuredOutputFields() {}

    /** The request's constraint, or null for free text. */
    static StructuredOutput read(Fields f) {
        List<StructuredOutput> found = new ArrayList<>();
        f.object("response_format").map(StructuredOutputFields::responseFormat).ifPresent(found::add);
        f.object("structured_outputs").ifPresent(o -> found.addAll(structuredOutputs(o)));
        f.node("guided_json").ifPresent(n -> found.add(json(n, "guided_json")));
        f.string("guided_regex").ifPresent(r -> found.add(new StructuredOutput.Regex(r, "guided_regex")));
        f.node("guided_choice").ifPresent(n -> found.add(choice(n, "guided_choice")));
        f.string("guided_grammar").ifPresent(g -> found.add(new StructuredOutput.Grammar(g, "guided_grammar")));
        if (found.size() > 1) {
            throw ApiException.invalidValue(found.get(1).parameter(), "Only one kind of structured output can be asked for per "
                    + "request, got " + found.stream().map(StructuredOutput::parameter).toList() + ".");
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    /** OpenAI's response_format; {@code text} asks for nothing. */
    private static StructuredOutput responseFormat(ObjectNode format) {
        Fields rf = new Fields(format, "response_format.");
        String type = rf.string("type").orElseThrow(() -> ApiException.missing("response_format.type"));
        return switch (type) {
            case "text" -> null;
            case "json_object" -> new StructuredOutput.JsonObject("response_format");
            case "json_schema" -> {
                ObjectNode spec = rf.object("json_schema").orElseThrow(() -> ApiException.missing("response_format.json_schema"));
                Fields js = new Fields(spec, "response_format.json_schema.");
                js.string("name").orElseThrow(() -> ApiException.missing("response_format.json_schema.name"));
                JsonNode schema = js.node("schema").orElseThrow(() -> ApiException.missing("response_format.json_schema.schema"));
                if (!schema.isObject() && !schema.isBoolean()) {
                    throw ApiException.invalidType("response_format.json_schema.schema", "an object", Fields.describe(schema));
                }
                boolean strict = js.bool("strict").orElse(false);
                yield new StructuredOutput.JsonSchema(schema.toString(), strict, "response_format");
            }
            default -> throw ApiException.invalidValue("response_format", "Invalid 'response_format.type': '" + type
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        };
    }

    private static List<StructuredOutput> structuredOutputs(ObjectNode o) {
        List<StructuredOutput> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String key = e.getKey();
            String param = "structured_outputs." + key;
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            if (!STRUCTURED_KEYS.contains(key)) {
                throw ApiException.invalidValue(param, "'" + param + "' is not supported. Supported keys are: json, regex, "
                        + "choice, grammar and json_object.");
            }
            switch (key) {
                case "json" -> out.add(json(v, param));
                case "regex" -> out.add(new StructuredOutput.Regex(text(v, param), param));
                case "choice" -> out.add(choice(v, param));
                case "grammar" -> out.add(new StructuredOutput.Grammar(text(v, param), param));
                default -> {
                    if (!v.isBoolean()) throw ApiException.invalidType(param, "a boolean", Fields.describe(v));
                    if (v.booleanValue()) out.add(new StructuredOutput.JsonObject(param));
                }
            }
        }
        return out;
    }

    /** A schema given as a JSON object, or as JSON text (vLLM takes both). */
    private static StructuredOutput json(JsonNode v, String param) {
        JsonNode schema = v;
        if (v.isTextual()) {
            try {
                schema = JSON.readTree(v.textValue());
            } catch (IOException e) {
                throw ApiException.invalidValue(param, "'" + param + "' is not valid JSON: " + e.getMessage());
            }
        }
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            throw ApiException.invalidType(param, "a JSON Schema object", schema == null ? "nothing" : Fields.describe(schema));
        }
        return new StructuredOutput.JsonSchema(schema.toString(), false, param);
    }

    private static StructuredOutput choice(JsonNode v, String param) {
        if (!v.isArray() || v.isEmpty()) throw ApiException.invalidType(param, "a non-empty array of strings", Fields.describe(v));
        List<String> choices = new ArrayList<>();
        for (JsonNode c : v) {
            if (!c.isTextual()) throw ApiException.invalidType(param, "a non-empty array of strings", "an array holding " + Fields.describe(c));
            choices.add(c.textValue());
        }
        return new StructuredOutput.Choice(choices, param);
    }

    private static String text(JsonNode v, String param) {
        if (!v.isTextual()) throw ApiException.invalidType(param, "a string", Fields.describe(v));
        return v.textValue();
    }
}
