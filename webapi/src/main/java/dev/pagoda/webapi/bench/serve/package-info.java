/**
 * {@code pagoda bench serve}: a client that loads a running OpenAI-compatible server the way
 * {@code vllm bench serve} does with its random dataset, so the numbers compare with vLLM's.
 *
 * <pre>
 * BenchServeCommand ─► ServeBenchmark.run
 *                        RandomPrompts     (prompts through the server's /tokenize; untimed)
 *                        initial test request
 *                        ArrivalSchedule   (seeded Poisson send times)
 *                        per request, on a virtual thread, behind the concurrency semaphore:
 *                          ServerClient.stream ─► StreamTimeline ─► RequestResult
 *                        BenchmarkMetrics.of (Summary: numpy's mean / median / std / p99)
 *                    ─► ResultReport (vLLM's printed block, result JSON)
 * </pre>
 */
package dev.pagoda.webapi.bench.serve;
