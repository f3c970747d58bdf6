package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool parts of a conversation as chat templates take them: an assistant message's
 * {@code tool_calls} with each {@code function.arguments} parsed from its JSON text into a mapping
 * (templates write {@code arguments | tojson} or iterate over it; vLLM and transformers hand them
 * mappings), and the results in {@code tool} messages tied to their calls by {@code tool_call_id}.
 */
public final class ToolMessages {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Object> ANY = new TypeReference<>() {};

    private ToolMessages() {}

    /**
     * Checks the tool fields of one message and puts them into {@code message} in the template's form.
     *
     * @param param   the message as errors name it ({@code messages[3]})
     * @param role    its role
     * @param node    the message as sent
     * @param message the message as the template will see it; changed in place
     */
    public static void prepare(String param, String role, ObjectNode node, Map<String, Object> message) {
        JsonNode calls = node.get("tool_calls");
        if (calls != null && !calls.isNull()) {
            if (!"assistant".equals(role)) {
                throw ApiException.invalidValue(param + ".tool_calls", "Invalid '" + param + ".tool_calls': only assistant messages carry tool calls.");
            }
            message.put("tool_calls", toolCalls(param + ".tool_calls", calls));
        }
        if ("tool".equals(role)) {
            JsonNode id = node.get("tool_call_id");
            if (id == null || id.isNull()) throw ApiException.missing(param + ".tool_call_id");
            if (!id.isTextual()) throw ApiException.invalidType(param + ".tool_call_id", "a string", ApiException.describe(id));
        }
    }

    private static List<Map<String, Object>> toolCalls(String param, JsonNode calls) {
        if (!calls.isArray()) throw ApiException.invalidType(param, "an array", ApiException.describe(calls));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String p = param + "[" + i + "]";
            if (!(calls.get(i) instanceof ObjectNode call)) throw ApiException.invalidType(p, "an object", ApiException.describe(calls.get(i)));
            if (!(call.get("function") instanceof ObjectNode function)) {
                JsonNode f = call.get("function");
                throw f == null || f.isNull() ? ApiException.missing(p + ".function") : ApiException.invalidType(p + ".function", "an object", ApiException.describe(f));
            }
            JsonNode name = function.get("name");
            if (name == null || name.isNull()) throw ApiException.missing(p + ".function.name");
            if (!name.isTextual()) throw ApiException.invalidType(p + ".function.name", "a string", ApiException.describe(name));
            Map<String, Object> templateCall = new LinkedHashMap<>(JSON.convertValue(call, new TypeReference<Map<String, Object>>() {}));
            Map<String, Object> templateFunction = new LinkedHashMap<>(JSON.convertValue(function, new TypeReference<Map<String, Object>>() {}));
            templateFunction.put("arguments", arguments(p + ".function.arguments", function.get("arguments")));
            templateCall.put("function", templateFunction);
            out.add(templateCall);
        }
        return out;
    }

    /** JSON text becomes what it says; a mapping sent as one stays; none (or "") is no arguments, as in vLLM. */
    private static Object arguments(String param, JsonNode arguments) {
        if (arguments == null || arguments.isNull()) return new LinkedHashMap<>();
        if (arguments.isObject() || arguments.isArray()) return JSON.convertValue(arguments, ANY);
        if (!arguments.isTextual()) throw ApiException.invalidType(param, "a string of JSON", ApiException.describe(arguments));
        if (arguments.textValue().isBlank()) return new LinkedHashMap<>();
        try {
            return JSON.readValue(arguments.textValue(), ANY);
        } catch (JsonProcessingException e) {
            throw ApiException.invalidValue(param, "Invalid '" + param + "': not valid JSON (" + e.getOriginalMessage() + ").");
        }
    }
}
