package dev.pagoda.webapi.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.List;

/**
 * {@code --allowed-origins}: what vLLM's Starlette CORS middleware does with its defaults (any method,
 * any header, credentials allowed), so a browser page on an allowed origin can call the API.
 * Requests from other origins are served without CORS headers; the browser then refuses to read them.
 */
final class CorsFilter implements Filter {

    private final List<String> origins;

    CorsFilter(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || !allowed(origin)) {
            chain.proceed();
            return;
        }
        // With credentials allowed the origin must be echoed, never "*" (the Fetch standard forbids it).
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        res.header(HeaderNames.VARY, "Origin");
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!preflight) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
        String askedHeaders = req.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).orElse(null);
        if (askedHeaders != null) res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, askedHeaders);
        res.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
        res.status(Status.OK_200).send();
    }

    private boolean allowed(String origin) {
        return origins.contains("*") || origins.contains(origin);
    }
}
