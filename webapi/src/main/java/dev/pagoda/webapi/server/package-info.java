/**
 * The HTTP server around an {@link dev.pagoda.engine.api.InferenceEngine}: one routing
 * ({@link dev.pagoda.webapi.server.PagodaServer#routing}) that production and tests share, OpenAI-shaped
 * errors for every failure, the Host, CORS and API key filters, the body reader with its limits, the
 * tokenizer's bounds, and the client-fault count and log. The TCP level below the routing is
 * {@link dev.pagoda.webapi.server.connection}; what all of it defends against is docs/security.md.
 *
 * <pre>
 *  socket ─► ConnectionGuard (limit, timeouts, HTTP/1.0, close, linger) ─► Helidon HTTP/1 parser
 *  request ─► ConnectionPolicyFilter ─► HostFilter ─► CorsFilter ─► ApiKeyFilter (all but /health)
 *          ─► OpenAiService (JsonBody, TokenizerGate) / MetricsService / HealthService
 *                 │ submit            ▲ events (virtual thread blocks)
 *                 ▼                   │
 *              InferenceEngine ── RequestStream
 *  any exception ─► ErrorHandlers ─► {"error": {message, type, param, code}} with its status, ClientFaults
 *  errors before routing (Helidon's own) ─► DirectErrors ─► the same shape
 * </pre>
 */
package dev.pagoda.webapi.server;
