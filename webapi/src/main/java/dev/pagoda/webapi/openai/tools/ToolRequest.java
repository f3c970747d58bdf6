package dev.pagoda.webapi.openai.tools;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.webapi.server.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, checked as
 * OpenAI checks them. {@code tool_choice} defaults as in vLLM: {@code auto} when there are tools,
 * {@code none} otherwise.
 *
 * @param tools             the functions, in request order; empty when the request has none
 * @param templateTools     the tools as the chat template sees them (as sent), null when there are none
 * @param choice            what the model must do with them
 * @param parallelToolCalls false: at most one call
 */
public record ToolRequest(List<Tool> tools, List<Map<String, Object>> templateTools, ToolChoice choice,
        boolean parallelToolCalls) {

    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    public ToolRequest {
        tools = List.copyOf(tools);
    }

    /** @param field a request field by name; empty when absent or null */
    public static ToolRequest read(Function<String, Optional<JsonNode>> field) {
        List<Tool> tools = new ArrayList<>();
        List<Map<String, Object>> templateTools = null;
        Optional<JsonNode> toolsNode = field.apply("tools");
        if (toolsNode.isPresent()) {
            JsonNode n = toolsNode.get();
            if (!n.isArray()) throw ApiException.invalidType("tools", "an array", ApiException.describe(n));
            Set<String> names = new HashSet<>();
            for (int i = 0; i < n.size(); i++) {
                Tool t = tool(i, n.get(i));
                if (!names.add(t.name())) {
                    throw ApiException.invalidValue("tools", "Invalid 'tools': the function name '" + t.name()
                            + "' appears more than once; function names must be unique.");
                }
                tools.add(t);
            }
            if (!tools.isEmpty()) templateTools = MAPPER.convertValue(n, new TypeReference<List<Map<String, Object>>>() {});
        }
        ToolChoice choice = choice(field.apply("tool_choice"), tools);
        boolean parallel = field.apply("parallel_tool_calls").map(p -> {
            if (!p.isBoolean()) throw ApiException.invalidType("parallel_tool_calls", "a boolean", ApiException.describe(p));
            return p.booleanValue();
        }).orElse(true);
        return new ToolRequest(tools, templateTools, choice, parallel);
    }

    /** The function {@code name}; the choice has been checked against the tools, so it exists. */
    Tool tool(String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static Tool tool(int i, JsonNode t) {
        String param = "tools[" + i + "]";
        if (!(t instanceof ObjectNode tool)) throw ApiException.invalidType(param, "an object", ApiException.describe(t));
        JsonNode type = tool.get("type");
        if (type == null || type.isNull()) throw ApiException.missing(param + ".type");
        if (!"function".equals(type.asText()) || !type.isTextual()) {
            throw ApiException.invalidValue(param + ".type", "Invalid value for '" + param + ".type': " + type
                    + ". Supported values are: 'function'.");
        }
        JsonNode function = tool.get("function");
        if (function == null || function.isNull()) throw ApiException.missing(param + ".function");
        if (!(function instanceof ObjectNode f)) throw ApiException.invalidType(param + ".function", "an object", ApiException.describe(function));
        JsonNode name = f.get("name");
        if (name == null || name.isNull()) throw ApiException.missing(param + ".function.name");
        if (!name.isTextual()) throw ApiException.invalidType(param + ".function.name", "a string", ApiException.describe(name));
        if (!NAME.matcher(name.textValue()).matches()) {
            throw ApiException.invalidValue(param + ".function.name", "Invalid '" + param + ".function.name': '"
                    + name.textValue() + "' does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.");
        }
        JsonNode description = f.get("description");
        if (description != null && !description.isNull() && !description.isTextual()) {
            throw ApiException.invalidType(param + ".function.description", "a string", ApiException.describe(description));
        }
        JsonNode strict = f.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
            throw ApiException.invalidType(param + ".function.strict", "a boolean", ApiException.describe(strict));
        }
        return new Tool(i, name.textValue(), parameters(param + ".function.parameters", f.get("parameters")),
                strict != null && strict.asBoolean(false));
    }

    /** A JSON Schema of an object; none given means no arguments, as vLLM fills it in. */
    private static ObjectNode parameters(String param, JsonNode p) {
        if (p == null || p.isNull()) {
            ObjectNode none = MAPPER.createObjectNode().put("type", "object");
            none.putObject("properties");
            return none;
        }
        if (!(p instanceof ObjectNode schema)) throw ApiException.invalidType(param, "an object (a JSON Schema)", ApiException.describe(p));
        JsonNode type = schema.get("type");
        boolean object = type == null || "object".equals(type.textValue())
                || type.isArray() && type.size() == 1 && "object".equals(type.get(0).textValue());
        if (!object) {
            throw ApiException.invalidValue(param, "Invalid schema for '" + param + "': a function's parameters must be "
                    + "a JSON Schema of \"type\": \"object\", got \"type\": " + type + ".");
        }
        return schema;
    }

    private static ToolChoice choice(Optional<JsonNode> node, List<Tool> tools) {
        if (node.isEmpty()) return tools.isEmpty() ? new ToolChoice.None() : new ToolChoice.Auto();
        JsonNode n = node.get();
        ToolChoice choice;
        if (n.isTextual()) {
            choice = switch (n.textValue()) {
                case "none" -> new ToolChoice.None();
                case "auto" -> new ToolChoice.Auto();
                case "required" -> new ToolChoice.Required();
                default -> throw ApiException.invalidValue("tool_choice", "Invalid value for 'tool_choice': '" + n.textValue()
                        + "'. Supported values are: 'none', 'auto', 'required' and {\"type\": \"function\", \"function\": {\"name\": ...}}.");
            };
        } else if (n instanceof ObjectNode o) {
            JsonNode type = o.get("type");
            if (type == null || !"function".equals(type.asText())) {
                throw ApiException.invalidValue("tool_choice.type", "Invalid value for 'tool_choice.type': "
                        + (type == null ? "missing" : type.toString()) + ". Supported values are: 'function'.");
            }
            JsonNode function = o.get("function");
            if (!(function instanceof ObjectNode f)) {
                throw function == null || function.isNull() ? ApiException.missing("tool_choice.function")
                        : ApiException.invalidType("tool_choice.function", "an object", ApiException.describe(function));
            }
            JsonNode name = f.get("name");
            if (name == null || name.isNull()) throw ApiException.missing("tool_choice.function.name");
            if (!name.isTextual()) throw ApiException.invalidType("tool_choice.function.name", "a string", ApiException.describe(name));
            if (tools.stream().noneMatch(t -> t.name().equals(name.textValue()))) {
                throw ApiException.invalidValue("tool_choice.function.name", "Invalid 'tool_choice': the function '"
                        + name.textValue() + "' is not among 'tools'.");
            }
            choice = new ToolChoice.Named(name.textValue());
        } else {
            throw ApiException.invalidType("tool_choice", "a string or an object", ApiException.describe(n));
        }
        if (!(choice instanceof ToolChoice.None) && tools.isEmpty()) {
            throw ApiException.invalidValue("tool_choice", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
        }
        return choice;
    }
}
