package dev.pagoda.webapi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * List-valued options as vLLM's command line takes them: a JSON list ({@code '["http://a", "http://b"]'},
 * what vLLM documents for {@code --allowed-origins}) or a comma list ({@code http://a,http://b}); the
 * option may also be repeated, each value either way.
 */
final class OptionLists {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OptionLists() {}

    /** @throws IllegalArgumentException naming {@code option} when a JSON list is malformed or holds a non-string */
    static List<String> parse(String option, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String value : values) {
            String v = value.strip();
            if (v.startsWith("[")) {
                out.addAll(jsonList(option, v));
            } else {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) out.add(part.strip());
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<String> jsonList(String option, String value) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a JSON list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) throw new IllegalArgumentException(option + " " + value + " holds " + item + ", not a string");
            if (!item.textValue().isBlank()) out.add(item.textValue().strip());
        }
        return out;
    }
}
