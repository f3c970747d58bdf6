package dev.pagoda.webapi.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * {@code --api-key}: every route needs {@code Authorization: Bearer <key>} with one of the keys, the
 * OpenAI routes, {@code /tokenize}, {@code /detokenize}, {@code /version}, {@code /metrics} and any
 * path that does not exist alike (so a scan learns nothing without a key). Open: {@code /health},
 * for probes; {@code /metrics} with {@code --metrics-without-key}; CORS preflights, which browsers
 * send without credentials.
 */
final class ApiKeyFilter implements Filter {

    private final List<byte[]> keyDigests;
    private final boolean metricsOpen;

    ApiKeyFilter(List<String> keys, boolean metricsOpen) {
        this.keyDigests = keys.stream().map(ApiKeyFilter::digest).toList();
        this.metricsOpen = metricsOpen;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (isOpen(req)) {
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, new OpenAiError(
                    "You didn't provide an API key. You need to provide your API key in an Authorization header "
                            + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    OpenAiError.INVALID_REQUEST, null, "invalid_api_key"));
        }
        if (!matches(header.substring(7).trim())) {
            throw new ApiException(401, new OpenAiError(
                    "Incorrect API key provided.", OpenAiError.INVALID_REQUEST, null, "invalid_api_key"));
        }
        chain.proceed();
    }

    private boolean isOpen(RoutingRequest req) {
        String path = req.path().path();
        if (path.equals("/health")) return true;
        if (metricsOpen && path.equals("/metrics")) return true;
        return req.prologue().method() == Method.OPTIONS && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /**
     * Compared as SHA-256 digests, all of them, in constant time: the time taken tells an attacker
     * neither how many leading bytes were right nor which key came close.
     */
    private boolean matches(String presented) {
        byte[] given = digest(presented);
        boolean any = false;
        for (byte[] key : keyDigests) any |= MessageDigest.isEqual(key, given);
        return any;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
