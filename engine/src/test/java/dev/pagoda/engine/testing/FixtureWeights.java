package dev.pagoda.engine.testing;

import dev.pagoda.catalog.synthetic.SyntheticModels;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.testing.TestModels;
import java.lang.foreign.MemorySegment;

/**
 * The values {@link TestModels} generates for a variant, straight from its generator (no file in
 * between), as a {@link WeightSource}: what a reference forward pass reads so that it shares
 * nothing with the load path under test.
 */
public final class FixtureWeights extends MapWeights {

    /** @param spec the variant's shape as its config.json says (HF, with its rope scaling) */
    public FixtureWeights(TestModels.Variant variant, ModelSpec spec) {
        super(spec);
        for (SyntheticModels.Weight w : TestModels.weights(variant)) {
            tensors.put(w.name(), new TensorData(w.name(), DType.F32, w.shape(), MemorySegment.ofArray(w.values())));
        }
    }
}
