/** vLLM's Prometheus metrics ({@code vllm:*}) for {@code /metrics}, read from the engine's state and the streams' timings. */
package dev.pagoda.webapi.metrics;
