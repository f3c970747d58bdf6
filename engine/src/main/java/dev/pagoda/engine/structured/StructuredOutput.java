package dev.pagoda.engine.structured;

import java.util.List;
import java.util.Objects;

/**
 * What a request's output must match, as vLLM's {@code StructuredOutputsParams} names it: the front
 * end turns OpenAI's {@code response_format}, vLLM's {@code structured_outputs} and the older
 * {@code guided_*} fields into one of these, and the engine constrains decoding to it (a token mask
 * applied before sampling, on every backend). Each kind is compiled once into a grammar; compile
 * errors are the request's 400, never the engine's problem.
 */
public sealed interface StructuredOutput {

    /** The request field the constraint came from, for error messages ({@code response_format}, {@code structured_outputs.json}...). */
    String parameter();

    /**
     * A JSON Schema (draft 2020-12 subset) the output must validate against.
     *
     * @param schemaJson the schema as JSON text
     * @param strict     OpenAI's {@code strict}: unsupported keywords are refused instead of ignored
     */
    record JsonSchema(String schemaJson, boolean strict, String parameter) implements StructuredOutput {
        public JsonSchema {
            Objects.requireNonNull(schemaJson, "schemaJson");
            Objects.requireNonNull(parameter, "parameter");
        }
    }

    /** Any JSON object ({@code response_format: {"type": "json_object"}}). */
    record JsonObject(String parameter) implements StructuredOutput {
        public JsonObject {
            Objects.requireNonNull(parameter, "parameter");
        }
    }

    /** A regular expression the whole output must match (vLLM's {@code regex}, Python {@code re} syntax subset). */
    record Regex(String pattern, String parameter) implements StructuredOutput {
        public Regex {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(parameter, "parameter");
        }
    }

    /** Exactly one of these strings (vLLM's {@code choice}). */
    record Choice(List<String> choices, String parameter) implements StructuredOutput {
        public Choice {
            choices = List.copyOf(choices);
            Objects.requireNonNull(parameter, "parameter");
        }
    }

    /** A context-free grammar in EBNF / Lark / GBNF style (vLLM's {@code grammar}). */
    record Grammar(String grammar, String parameter) implements StructuredOutput {
        public Grammar {
            Objects.requireNonNull(grammar, "grammar");
            Objects.requireNonNull(parameter, "parameter");
        }
    }
}
