package dev.pagoda.webapi.testing;

import dev.pagoda.catalog.testing.NodeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The OpenAI client libraries people use from JavaScript, run by the tests under node as real
 * clients of a real server: the official SDK ({@code openai}), LangChain JS
 * ({@code @langchain/openai}) and the Vercel AI SDK ({@code ai} + {@code @ai-sdk/openai-compatible}).
 * Pinned, installed once per machine outside the repository by {@link NodeReference} (its own
 * cache folder); tests skip with a message where node/npm are absent.
 */
public final class NodeClients {

    /** Pinned: LangChain 1.5.8 is the last @langchain/openai on the openai 6.x SDK. */
    public static final List<String> PACKAGES = List.of(
            "openai@6.49.0",
            "@langchain/openai@1.5.8",
            "@langchain/core@1.5.0",
            "ai@6.0.333",
            "@ai-sdk/openai-compatible@2.0.92",
            "zod@4.6.7");

    private NodeClients() {}

    /** The cache folder with the clients installed; skips the calling test where node/npm are absent. */
    public static Path require() {
        return NodeReference.require("npm-clients", PACKAGES);
    }

    /** Runs a script from the test resources ({@code /dev/pagoda/webapi/...}) with {@code stdin}; its standard output. */
    public static String runResource(String resource, String stdin) {
        Path dir = require();
        try (InputStream in = NodeClients.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            return NodeReference.run(dir, new String(in.readAllBytes(), StandardCharsets.UTF_8), stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
