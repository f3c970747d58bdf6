package dev.pagoda.webapi.server.connection;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * First in the routing: tells the request's connection that its headers are in (the body timer
 * starts), makes HTTP/1.0 and {@code Connection: close} requests the last on their connection, and
 * has the connection told when the response is out, and whether it said {@code Connection: close}
 * (Helidon 4.5.0 writes that header, after an error of its own too, and then reads on). Requests on connections the guard did not
 * make (a test's plain server) pass untouched.
 */
final class ConnectionPolicyFilter implements Filter {

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        GuardedConnection.current().ifPresent(connection -> {
            connection.requestRouted();
            if (connection.isHttp10() || req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
                connection.closeAfterResponse(res);
            }
            res.whenSent(() -> connection.responseSent(res.headers().containsToken(HeaderValues.CONNECTION_CLOSE)));
        });
        chain.proceed();
    }
}
