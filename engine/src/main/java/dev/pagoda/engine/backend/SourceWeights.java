package dev.pagoda.engine.backend;

import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.engine.model.ops.WeightLoader;
import java.util.Optional;

/** What every backend's {@link WeightLoader} answers straight from the weight source. */
public abstract class SourceWeights implements WeightLoader {

    protected final WeightSource source;

    protected SourceWeights(WeightSource source) {
        this.source = source;
    }

    @Override
    public boolean has(String name) {
        return source.has(name);
    }

    @Override
    public Optional<float[]> constants(String name, int length) {
        return source.has(name) ? Optional.of(Dequantize.toFloats(source.checkedTensor(name, length))) : Optional.empty();
    }
}
