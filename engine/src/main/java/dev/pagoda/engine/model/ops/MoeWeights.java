package dev.pagoda.engine.model.ops;

import java.util.function.IntFunction;

/**
 * HF names of a mixture-of-experts layer's tensors.
 *
 * @param router (numExperts, hidden) the gate that scores experts
 * @param gate   expert e's (intermediate, hidden) gate projection
 * @param up     expert e's (intermediate, hidden) up projection
 * @param down   expert e's (hidden, intermediate) down projection
 */
public record MoeWeights(String router, IntFunction<String> gate, IntFunction<String> up, IntFunction<String> down) {}
