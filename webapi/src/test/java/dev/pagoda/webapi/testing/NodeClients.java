package dev.pagoda.webapi.testing;

import dev.pagoda.catalog.testing.NodeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The JavaScript clients people point at OpenAI-compatible servers, from npm: the official OpenAI
 * SDK, LangChain JS and the Vercel AI SDK. Pinned to the versions npm gave when these tests were
 * written, installed by the tests into a cache folder of their own outside the repository
 * ({@code $PAGODA_TEST_CACHE/npm-clients}, see {@link NodeReference}); tests skip with a message
 * where node/npm are absent.
 */
public final class NodeClients {

    public static final List<String> PACKAGES = List.of(
            "openai@6.49.0",
            "@langchain/openai@1.6.0",
            "@langchain/core@1.5.0",
            "ai@6.0.333",
            "@ai-sdk/openai-compatible@2.0.92",
            "zod@4.6.7");

    private NodeClients() {}

    /** Runs an ES-module script that imports these clients, with {@code stdin} as its input; returns its output. */
    public static String run(String script, String stdin) {
        return NodeReference.run(require(), script, stdin);
    }

    /** The cache folder with the clients installed; skips the calling test where node/npm are absent. */
    public static Path require() {
        return NodeReference.require("npm-clients", PACKAGES);
    }

    /** {@link #run} of a script kept in the test resources ({@code /dev/pagoda/webapi/...}). */
    public static String runResource(String resource, String stdin) {
        try (InputStream in = NodeClients.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + resource);
            return run(new String(in.readAllBytes(), StandardCharsets.UTF_8), stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
