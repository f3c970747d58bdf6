package dev.pagoda.webapi.server;

import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.webapi.openai.tools.ToolParsing;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP server is set up; the engine is passed separately so the server works with any
 * {@link dev.pagoda.engine.api.InferenceEngine}.
 *
 * @param host            interface to bind ("0.0.0.0" for every interface)
 * @param port            0 picks a free port
 * @param apiKey          when present, every {@code /v1} route needs {@code Authorization: Bearer <key>}
 * @param allowedOrigins  CORS origins allowed to call the API ("*" for any); empty turns CORS off
 * @param maxRequestBytes larger bodies get 413 before they are parsed
 * @param chatTemplate    {@code --chat-template}: replaces the model's templates (in vLLM a front-end flag too)
 * @param toolParsing     {@code --enable-auto-tool-choice}, {@code --tool-call-parser}, {@code --reasoning-parser}
 */
public record ServerOptions(String host, int port, Optional<String> apiKey, List<String> allowedOrigins, long maxRequestBytes,
        Optional<ChatTemplate> chatTemplate, ToolParsing toolParsing) {

    /** vLLM has no body limit of its own; 32 MiB holds any prompt that fits a context window. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 32L << 20;

    public ServerOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        if (maxRequestBytes < 1) throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
        apiKey = apiKey.filter(k -> !k.isEmpty());
        allowedOrigins = List.copyOf(allowedOrigins);
        Objects.requireNonNull(toolParsing, "toolParsing");
    }

    /** Loopback, any free port, no key, no CORS: what tests and the GUI's embedded server start from. */
    public static ServerOptions local() {
        return new ServerOptions("127.0.0.1", 0, Optional.empty(), List.of(), DEFAULT_MAX_REQUEST_BYTES, Optional.empty(),
                ToolParsing.NONE);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, Optional.ofNullable(key), allowedOrigins, maxRequestBytes, chatTemplate, toolParsing);
    }

    public ServerOptions withAllowedOrigins(List<String> origins) {
        return new ServerOptions(host, port, apiKey, origins, maxRequestBytes, chatTemplate, toolParsing);
    }

    public ServerOptions withMaxRequestBytes(long bytes) {
        return new ServerOptions(host, port, apiKey, allowedOrigins, bytes, chatTemplate, toolParsing);
    }

    public ServerOptions withChatTemplate(ChatTemplate template) {
        return new ServerOptions(host, port, apiKey, allowedOrigins, maxRequestBytes, Optional.ofNullable(template), toolParsing);
    }

    public ServerOptions withAddress(String newHost, int newPort) {
        return new ServerOptions(newHost, newPort, apiKey, allowedOrigins, maxRequestBytes, chatTemplate, toolParsing);
    }

    public ServerOptions withToolParsing(ToolParsing parsing) {
        return new ServerOptions(host, port, apiKey, allowedOrigins, maxRequestBytes, chatTemplate, parsing);
    }
}
