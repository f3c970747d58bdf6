package dev.pagoda.webapi.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docs/openai-fields.md says what {@link RequestFields} does, row for row. */
class RequestFieldsTest {

    @Test
    void theDocsTableIsTheCodesList() throws IOException {
        Path doc = Path.of("..", "docs", "openai-fields.md");
        List<String> documented = new ArrayList<>();
        for (String line : Files.readAllLines(doc)) {
            if (!line.startsWith("| `")) continue;
            String[] cells = line.split("\\|");
            String handling = cells[3].trim().split(" ")[0];
            documented.add(cells[1].trim().replace("`", "") + " | " + cells[2].trim() + " | " + handling);
        }
        List<String> coded = new ArrayList<>();
        for (RequestFields.Field f : RequestFields.ALL) {
            String routes = f.routes().size() == 2 ? "chat, completions" : f.routes().iterator().next().name().toLowerCase(Locale.ROOT);
            coded.add(f.name() + " | " + routes + " | " + f.handling().name().toLowerCase(Locale.ROOT));
        }
        assertEquals(coded, documented, "docs/openai-fields.md and RequestFields.ALL list the same fields, routes and handling");
        assertTrue(coded.size() > 60, "OpenAI and vLLM define dozens of fields: " + coded.size());
    }
}
