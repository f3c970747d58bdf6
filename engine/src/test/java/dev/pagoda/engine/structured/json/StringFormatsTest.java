package dev.pagoda.engine.structured.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.pagoda.engine.structured.automaton.Automaton;
import dev.pagoda.engine.structured.automaton.AutomatonBuilder;
import dev.pagoda.engine.structured.automaton.PdaMatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The string formats against networknt's format assertions, on strings drawn near each format:
 * valid values (random fields in range) and their one-character edits. The one difference is
 * stated by {@link StringFormats}: February 29 is accepted in every year (leap years are not
 * checked), so those dates are left out of the comparison.
 */
class StringFormatsTest {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final String ALPHABET = "0123456789abcdefABCDEF-:.TZtz+@_ xX";

    private static String two(Random r, int max) {
        return String.format("%02d", r.nextInt(max + 1));
    }

    private static String date(Random r) {
        int month = 1 + r.nextInt(12);
        int day = 1 + r.nextInt(month == 2 ? 28 : 30);
        return String.format("%04d-%02d-%02d", r.nextInt(10000), month, day);
    }

    private static String time(Random r) {
        String frac = r.nextBoolean() ? "" : "." + (1 + r.nextInt(999999));
        String offset = r.nextBoolean() ? "Z" : (r.nextBoolean() ? "+" : "-") + two(r, 23) + ":" + two(r, 59);
        return two(r, 23) + ":" + two(r, 59) + ":" + two(r, 59) + frac + offset;
    }

    private static String sample(String format, Random r) {
        return switch (format) {
            case "date" -> date(r);
            case "time" -> time(r);
            case "date-time" -> date(r) + "T" + time(r);
            case "uuid" -> java.util.UUID.randomUUID().toString().replace('a', r.nextBoolean() ? 'A' : 'a');
            case "ipv4" -> r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
            default -> throw new IllegalArgumentException(format);
        };
    }

    private static String edit(String s, Random r) {
        int i = r.nextInt(s.length() + 1);
        char c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
        return switch (r.nextInt(3)) {
            case 0 -> s.substring(0, i) + c + s.substring(i);
            case 1 -> i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s.substring(0, s.length() - 1);
            default -> i < s.length() ? s.substring(0, i) + c + s.substring(i + 1) : s + c;
        };
    }

    @Test
    void formatsAgreeWithTheValidatorsAssertions() {
        int compared = 0, valid = 0;
        for (String format : List.of("date", "time", "date-time", "uuid", "ipv4")) {
            String schemaText = "{\"type\":\"string\",\"format\":\"" + format + "\"}";
            Schema schema = REGISTRY.getSchema(schemaText, InputFormat.JSON);
            Automaton a = AutomatonBuilder.build(JsonSchemaCompiler.compile(schemaText, true));
            Random r = new Random(format.hashCode());
            List<String> candidates = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String s = sample(format, r);
                candidates.add(s);
                candidates.add(edit(s, r));
            }
            for (String s : candidates) {
                if (s.matches(".*\\d{4}-02-29.*")) continue; // leap years are not checked (StringFormats)
                String json = "\"" + s + "\"";
                boolean expected = schema.validate(json, InputFormat.JSON).isEmpty();
                PdaMatcher m = new PdaMatcher(a);
                boolean got = m.advance(json.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
                assertEquals(expected, got, format + " on " + json);
                compared++;
                if (expected) valid++;
            }
        }
        assertTrue(valid > compared / 3 && valid < compared * 5 / 6, valid + " of " + compared + " valid");
    }
}
