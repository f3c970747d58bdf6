package dev.pagoda.catalog.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NodeReferenceTest {
    @Test
    void runsNodeAgainstTheInstalledReferences() {
        String out = NodeReference.run("""
                import { Template } from "@huggingface/jinja";
                let input = ""; for await (const c of process.stdin) input += c;
                process.stdout.write(new Template("{{ x | upper }}!").render(JSON.parse(input)));
                """, "{\"x\":\"pagoda\"}");
        assertEquals("PAGODA!", out);
    }
}
