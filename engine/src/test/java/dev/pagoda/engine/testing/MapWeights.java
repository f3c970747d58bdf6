package dev.pagoda.engine.testing;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A weight source over tensors a test put in a map (in order); nothing to release. */
abstract class MapWeights implements WeightSource {

    private final ModelSpec spec;
    protected final Map<String, TensorData> tensors = new LinkedHashMap<>();

    MapWeights(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    @Override
    public TensorData tensor(String name) {
        TensorData t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no tensor " + name);
        return t;
    }

    @Override
    public void close() {
    }
}
