package dev.pagoda.webapi.bench.serve;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The two OpenAI routes the benchmark can drive, and where each puts a chunk's new text. */
public enum Endpoint {
    COMPLETIONS("/v1/completions"),
    CHAT("/v1/chat/completions");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** The route named on the command line; anything else is one error naming the allowed values. */
    public static Endpoint ofPath(String path) {
        for (Endpoint e : values()) {
            if (e.path.equals(path)) return e;
        }
        throw new IllegalArgumentException("--endpoint must be one of "
                + Arrays.stream(values()).map(Endpoint::path).collect(Collectors.joining(", ")) + ", got '" + path + "'");
    }
}
