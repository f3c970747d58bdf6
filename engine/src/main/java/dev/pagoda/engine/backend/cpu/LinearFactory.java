package dev.pagoda.engine.backend.cpu;

import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.engine.cpu.Linear;
import dev.pagoda.engine.cpu.Parallel;

/**
 * Makes the {@link Linear} layer for one stored weight; the shape of
 * {@code LinearKernels.create} so the production kernels plug in as a method reference, and tests
 * can put a plain reference implementation in their place.
 */
@FunctionalInterface
public interface LinearFactory {

    /**
     * @param weight    (outFeatures, inFeatures) in its stored dtype
     * @param parallel  workers the layer may split its rows over
     * @param maxTokens most rows one forward call multiplies
     */
    Linear create(TensorData weight, Parallel parallel, int maxTokens);
}
