package dev.pagoda.engine.structured.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
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
 * "Accepted by the grammar" equals the verdict of networknt's JSON Schema validator (draft
 * 2020-12), for random schemas of the supported subset ({@link RandomSchemas}) and strings from
 * a defined family: values drawn to validate and their semantic mutations (a wrong type, a
 * member dropped or added, a number, string or array changed), written in the grammar's layout
 * — Jackson's compact text, object members in schema order with additional members last, 0 to
 * 2 bytes of space/tab/newline wherever the grammar allows whitespace — and syntax breaks of
 * those texts (cut short, a structural byte dropped, a trailing comma, a doubled colon). Outside this
 * family the grammar is deliberately narrower than the schema (another member order, more
 * whitespace, 1.0 for an integer), which the package documentation states.
 */
class JsonSchemaEquivalenceTest {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final tools.jackson.databind.ObjectMapper JACKSON3 = new tools.jackson.databind.ObjectMapper();

    static boolean validatorAccepts(Schema schema, String text) {
        tools.jackson.databind.JsonNode node;
        try {
            node = JACKSON3.readTree(text);
        } catch (RuntimeException notJson) {
            return false;
        }
        if (node == null || node.isMissingNode()) return false;
        return schema.validate(node).isEmpty();
    }

    static boolean grammarAccepts(Automaton a, String text) {
        PdaMatcher m = new PdaMatcher(a);
        return m.advance(text.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
    }

    @Test
    void grammarVerdictsEqualTheValidatorsOnRandomSchemas() {
        int valid = 0, total = 0;
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            RandomSchemas.Defs defs = new RandomSchemas.Defs();
            RandomSchemas.S root = RandomSchemas.schema(r, defs, 0);
            String doc = RandomSchemas.document(root, defs);
            Schema schema = REGISTRY.getSchema(doc, InputFormat.JSON);
            Automaton a = AutomatonBuilder.build(JsonSchemaCompiler.compile(doc, true));
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                JsonNode v = root.sample(r, defs, 0);
                String text = RandomSchemas.write(v, r);
                texts.add(text);
                texts.add(RandomSchemas.write(RandomSchemas.mutate(v, r), r));
                texts.add(RandomSchemas.breakSyntax(text, r));
            }
            for (String text : texts) {
                boolean expected = validatorAccepts(schema, text);
                assertEquals(expected, grammarAccepts(a, text), "seed " + seed + ": schema " + doc + "\non " + text.replace("\n", "\\n"));
                if (expected) valid++;
                total++;
            }
        }
        assertTrue(valid > total / 5 && valid < total * 4 / 5, valid + " of " + total + " texts were valid: the family mixes both");
    }
}
