package dev.pagoda.webapi.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code --api-key}: every {@code /v1} route needs {@code Authorization: Bearer <key>}, as vLLM does.
 * {@code /health}, {@code /metrics} and the rest stay open so probes and scrapers need no secret;
 * CORS preflights (OPTIONS) pass because browsers send them without credentials.
 */
final class ApiKeyFilter implements Filter {

    private final byte[] key;

    ApiKeyFilter(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (req.prologue().method() == Method.OPTIONS || !(path.equals("/v1") || path.startsWith("/v1/"))) {
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
        // Constant time: the comparison must not tell an attacker how many leading bytes were right.
        if (!MessageDigest.isEqual(key, header.substring(7).trim().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, new OpenAiError(
                    "Incorrect API key provided.", OpenAiError.INVALID_REQUEST, null, "invalid_api_key"));
        }
        chain.proceed();
    }
}
