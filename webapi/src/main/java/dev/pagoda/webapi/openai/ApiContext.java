package dev.pagoda.webapi.openai;

import dev.pagoda.webapi.metrics.VllmMetrics;
import dev.pagoda.webapi.openai.tools.ToolParsing;
import dev.pagoda.webapi.server.JsonBody;
import io.helidon.webserver.http.ServerRequest;

/**
 * What every OpenAI route handler works with.
 *
 * @param model       the served model and its checks
 * @param body        the request body reader (size limit, UTF-8, JSON)
 * @param metrics     where request latencies go
 * @param toolParsing the server's tool-call and reasoning parsers
 */
record ApiContext(ServedModel model, JsonBody body, VllmMetrics metrics, ToolParsing toolParsing) {

    /** The request's JSON fields, once the body is readable and names the served model (or none). */
    Fields fields(ServerRequest req) {
        Fields f = new Fields(body.read(req));
        model.checkModel(f);
        return f;
    }

    /** As {@link #fields(ServerRequest)}, for a generation route: fields it cannot honour are refused first. */
    Fields fields(ServerRequest req, RequestFields.Route route) {
        Fields f = new Fields(body.read(req));
        RequestFields.check(f, route);
        model.checkModel(f);
        return f;
    }
}
