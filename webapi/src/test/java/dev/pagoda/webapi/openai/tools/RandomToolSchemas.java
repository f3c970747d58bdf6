package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random function tools whose parameter schemas a grammar can hold a random model to in a few
 * hundred tokens: every value is bounded (enums, booleans, integers in a range, strings of at most a
 * few characters, short arrays, one level of nested objects), every property required, no others
 * allowed. An unbounded string or number would let a model that never learned to stop run out of
 * tokens before the JSON closes; that is the model's limit, not the grammar's.
 */
final class RandomToolSchemas {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NAMES = List.of("get_weather", "search_docs", "set_alarm", "book-table", "convert2");

    private final Random random;

    RandomToolSchemas(long seed) {
        random = new Random(seed);
    }

    /** One to three tools in OpenAI's {@code tools} format, with distinct names. */
    ArrayNode tools() {
        ArrayNode tools = NODES.arrayNode();
        List<String> names = new ArrayList<>(NAMES);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            ObjectNode function = tools.addObject().put("type", "function").putObject("function");
            function.put("name", names.remove(random.nextInt(names.size())));
            function.put("description", "a random tool");
            function.set("parameters", object(1));
        }
        return tools;
    }

    private ObjectNode object(int depth) {
        ObjectNode schema = NODES.objectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            String key = "p" + i;
            properties.set(key, value(depth));
            required.add(key);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    private JsonNode value(int depth) {
        return switch (random.nextInt(depth > 0 ? 7 : 5)) {
            case 0 -> {
                ObjectNode s = NODES.objectNode().put("type", "string");
                ArrayNode values = s.putArray("enum");
                for (int i = 2 + random.nextInt(3); i > 0; i--) values.add("v" + i + (random.nextBoolean() ? "" : " é"));
                yield s;
            }
            case 1 -> NODES.objectNode().put("type", "boolean");
            case 2 -> NODES.objectNode().put("type", "integer").put("minimum", -5).put("maximum", 5 + random.nextInt(500));
            case 3 -> NODES.objectNode().put("type", "string").put("minLength", 1).put("maxLength", 1 + random.nextInt(5));
            case 4 -> NODES.objectNode().set("enum", NODES.arrayNode().add(1).add("two").add(true));
            case 5 -> {
                ObjectNode s = NODES.objectNode().put("type", "array").put("minItems", 1).put("maxItems", 1 + random.nextInt(3));
                s.putObject("items").put("type", "string").putArray("enum").add("a").add("b");
                yield s;
            }
            default -> object(depth - 1);
        };
    }
}
