package dev.pagoda.webapi.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.List;
import java.util.Locale;

/**
 * {@code --allowed-hosts}: the {@code Host} header must name this server. A page on an attacker's
 * domain whose DNS is made to point at the server (DNS rebinding) sends the attacker's domain as
 * Host, so it is refused here even though the browser thinks the page is same-origin. An entry
 * {@code .example.com} allows that domain and its subdomains, {@code *} any host. {@code /health}
 * stays open to probes, which send whatever address they dialled.
 */
final class HostFilter implements Filter {

    private final List<String> allowed;

    HostFilter(List<String> allowed) {
        this.allowed = allowed.stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.path().path().equals("/health")) {
            chain.proceed();
            return;
        }
        String host = req.headers().first(HeaderNames.HOST).map(HostFilter::withoutPort).orElse(null);
        if (host == null || !allows(host)) {
            throw new ApiException(400, new OpenAiError("Invalid Host header: this server answers to "
                    + String.join(", ", allowed) + ".", OpenAiError.INVALID_REQUEST, null, "invalid_host"));
        }
        chain.proceed();
    }

    private boolean allows(String host) {
        for (String a : allowed) {
            if (a.equals("*") || a.equals(host)) return true;
            if (a.startsWith(".") && (host.endsWith(a) || host.equals(a.substring(1)))) return true;
        }
        return false;
    }

    /** {@code example.com:8000} → {@code example.com}; {@code [::1]:8000} → {@code [::1]}. */
    static String withoutPort(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        int close = h.lastIndexOf(']');
        int colon = h.lastIndexOf(':');
        return colon > close ? h.substring(0, colon) : h;
    }
}
