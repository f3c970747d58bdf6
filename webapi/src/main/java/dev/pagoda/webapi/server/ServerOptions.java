package dev.pagoda.webapi.server;

import dev.pagoda.catalog.chat.ChatTemplate;
import dev.pagoda.webapi.openai.tools.ToolParsing;
import dev.pagoda.webapi.server.connection.ConnectionLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP server is set up; the engine is passed separately so the server works with any
 * {@link dev.pagoda.engine.api.InferenceEngine}.
 *
 * @param host         interface to bind ("0.0.0.0" for every interface)
 * @param port         0 picks a free port
 * @param access       who may call it
 * @param connections  connection limit and timeouts
 * @param requests     what one request may cost before the engine sees it
 * @param chatTemplate {@code --chat-template}: replaces the model's templates (in vLLM a front-end flag too)
 * @param toolParsing  {@code --enable-auto-tool-choice}, {@code --tool-call-parser}, {@code --reasoning-parser}
 */
public record ServerOptions(String host, int port, Access access, ConnectionLimits connections, RequestLimits requests,
        Optional<ChatTemplate> chatTemplate, ToolParsing toolParsing) {

    /**
     * @param apiKeys           when any, every route but {@code /health} needs {@code Authorization: Bearer <one of them>}
     * @param metricsWithoutKey {@code /metrics} open without a key (for a scraper that cannot send one)
     * @param allowedOrigins    CORS origins allowed to call the API ("*" for any, without credentials); empty turns CORS off
     * @param allowedHosts      when any, the Host header must name one of them (against DNS rebinding); ".example.com"
     *                          allows the domain and its subdomains, "*" anything
     */
    public record Access(List<String> apiKeys, boolean metricsWithoutKey, List<String> allowedOrigins, List<String> allowedHosts) {

        public static final Access OPEN = new Access(List.of(), false, List.of(), List.of());

        public Access {
            apiKeys = apiKeys.stream().filter(k -> k != null && !k.isEmpty()).distinct().toList();
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedHosts = List.copyOf(allowedHosts);
        }
    }

    public ServerOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        Objects.requireNonNull(toolParsing, "toolParsing");
    }

    /** Loopback, any free port, no key, no CORS, default limits: what tests and the GUI's embedded server start from. */
    public static ServerOptions local() {
        return new ServerOptions("127.0.0.1", 0, Access.OPEN, ConnectionLimits.DEFAULTS, RequestLimits.DEFAULTS, Optional.empty(),
                ToolParsing.NONE);
    }

    public List<String> apiKeys() {
        return access.apiKeys();
    }

    public List<String> allowedOrigins() {
        return access.allowedOrigins();
    }

    public long maxRequestBytes() {
        return requests.json().maxBodyBytes();
    }

    /** One key, or none for null or empty. */
    public ServerOptions withApiKey(String key) {
        return withApiKeys(key == null ? List.of() : List.of(key));
    }

    public ServerOptions withApiKeys(List<String> keys) {
        return withAccess(new Access(keys, access.metricsWithoutKey(), access.allowedOrigins(), access.allowedHosts()));
    }

    public ServerOptions withAllowedOrigins(List<String> origins) {
        return withAccess(new Access(access.apiKeys(), access.metricsWithoutKey(), origins, access.allowedHosts()));
    }

    public ServerOptions withAllowedHosts(List<String> hosts) {
        return withAccess(new Access(access.apiKeys(), access.metricsWithoutKey(), access.allowedOrigins(), hosts));
    }

    public ServerOptions withMetricsWithoutKey(boolean open) {
        return withAccess(new Access(access.apiKeys(), open, access.allowedOrigins(), access.allowedHosts()));
    }

    public ServerOptions withAccess(Access newAccess) {
        return new ServerOptions(host, port, newAccess, connections, requests, chatTemplate, toolParsing);
    }

    public ServerOptions withConnections(ConnectionLimits limits) {
        return new ServerOptions(host, port, access, limits, requests, chatTemplate, toolParsing);
    }

    public ServerOptions withRequests(RequestLimits limits) {
        return new ServerOptions(host, port, access, connections, limits, chatTemplate, toolParsing);
    }

    public ServerOptions withMaxRequestBytes(long bytes) {
        return withRequests(requests.withMaxBodyBytes(bytes));
    }

    public ServerOptions withChatTemplate(ChatTemplate template) {
        return new ServerOptions(host, port, access, connections, requests, Optional.ofNullable(template), toolParsing);
    }

    public ServerOptions withAddress(String newHost, int newPort) {
        return new ServerOptions(newHost, newPort, access, connections, requests, chatTemplate, toolParsing);
    }

    public ServerOptions withToolParsing(ToolParsing parsing) {
        return new ServerOptions(host, port, access, connections, requests, chatTemplate, parsing);
    }

    /**
     * The warning to print at start when anyone on the network can use the server: it listens beyond
     * loopback and asks for no key.
     */
    public Optional<String> exposureWarning(int boundPort) {
        if (!access.apiKeys().isEmpty() || isLoopback(host)) return Optional.empty();
        return Optional.of("WARNING: serving on " + host + ":" + boundPort + " without an API key: anyone who can reach this "
                + "port can use the model (set --api-key, or --host 127.0.0.1 to serve this machine only)");
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
