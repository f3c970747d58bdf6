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
 * {@code --allowed-origins}: what vLLM's Starlette CORS middleware does (any method, any header), so
 * a browser page on an allowed origin can call the API. Origins named one by one get their origin
 * echoed with credentials allowed; {@code *} allows any origin but never with credentials (the
 * Fetch standard forbids the pair, and echoing every origin with credentials would hand any web
 * page the user's cookies for this server). Requests from other origins are served without CORS
 * headers; the browser then refuses to read them.
 */
final class CorsFilter implements Filter {

    private final List<String> origins;
    private final boolean anyOrigin;

    CorsFilter(List<String> origins) {
        this.origins = List.copyOf(origins);
        this.anyOrigin = origins.contains("*");
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || !(anyOrigin || origins.contains(origin))) {
            chain.proceed();
            return;
        }
        if (anyOrigin) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        } else {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            res.header(HeaderNames.VARY, "Origin");
        }
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
}
