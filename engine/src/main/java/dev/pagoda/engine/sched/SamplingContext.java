package dev.pagoda.engine.sched;

import dev.pagoda.engine.request.TokenHistory;
import dev.pagoda.engine.sample.SamplingParams;

/**
 * What the sampler needs about a sequence beyond its logits row.
 *
 * @param params      the request's sampling parameters
 * @param groupId     the submitted request id, shared by the n samples (seeded streams key on it)
 * @param sampleIndex which of the n samples this is, so equal seeds still give n different samples
 * @param history     prompt and output tokens, for penalties; valid during this step only
 */
public record SamplingContext(SamplingParams params, String groupId, int sampleIndex, TokenHistory history) {}
