/**
 * The HTTP server around an {@link dev.pagoda.engine.api.InferenceEngine}: one routing
 * ({@link dev.pagoda.webapi.server.PagodaServer#routing}) that production and tests share, OpenAI-shaped
 * errors for every failure, the API key and CORS filters, the body reader with its size limit.
 *
 * <pre>
 *  request ─► CorsFilter ─► ApiKeyFilter (/v1 only) ─► OpenAiService / MetricsService / HealthService
 *                                                         │ submit            ▲ events (virtual thread blocks)
 *                                                         ▼                   │
 *                                                      InferenceEngine ── RequestStream
 *  any exception ─► ErrorHandlers ─► {"error": {message, type, param, code}} with its status
 * </pre>
 */
package dev.pagoda.webapi.server;
