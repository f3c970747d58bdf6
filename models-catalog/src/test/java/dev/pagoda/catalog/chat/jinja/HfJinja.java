package dev.pagoda.catalog.chat.jinja;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.testing.NodeReference;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The reference renderer: {@code @huggingface/jinja} under node, fed a whole batch of
 * (template, variables) cases as JSON on stdin in ONE node run, so a test class pays node's start-up once.
 */
public final class HfJinja {

    /** A template and the variables to render it with (JSON-compatible data only). */
    public record Case(String template, Map<String, Object> variables) {}

    /** What the reference produced: the output, or the error message when it threw. */
    public record Result(String output, String error) {
        public boolean failed() {
            return error != null;
        }
    }

    private static final String SCRIPT = """
            import { Template } from "@huggingface/jinja";
            let input = "";
            for await (const chunk of process.stdin) input += chunk;
            const results = JSON.parse(input).map(({ template, variables }) => {
              try {
                return { output: new Template(template).render(variables) };
              } catch (e) {
                return { error: String(e && e.message !== undefined ? e.message : e) };
              }
            });
            process.stdout.write(JSON.stringify(results));
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfJinja() {}

    public static List<Result> renderAll(List<Case> cases) {
        try {
            String out = NodeReference.run(SCRIPT, JSON.writeValueAsString(cases));
            List<Result> results = JSON.readValue(out, new TypeReference<List<Result>>() {});
            if (results.size() != cases.size()) throw new IllegalStateException("reference returned " + results.size() + " results for " + cases.size() + " cases");
            return results;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON into plain Java maps/lists/strings/numbers, as both renderers then see the same data. */
    public static Map<String, Object> vars(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
