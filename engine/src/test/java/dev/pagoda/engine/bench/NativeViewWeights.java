package dev.pagoda.engine.bench;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * An experiment of the comparison, not a loader: the same tensors, but each file-mapped segment
 * handed out as a plain native segment over the same bytes (no copy). The CPU kernels' load
 * helpers serve weights and activations alike; with mapped weights and arena activations their
 * JIT type profile sees two segment classes, and this view shows what that costs a whole decode
 * step. Unsafe beyond a benchmark: the view does not know when the file is closed.
 */
record NativeViewWeights(WeightSource inner) implements WeightSource {

    @Override
    public ModelSpec spec() {
        return inner.spec();
    }

    @Override
    public Set<String> tensorNames() {
        return inner.tensorNames();
    }

    @Override
    public TensorData tensor(String name) {
        TensorData t = inner.tensor(name);
        MemorySegment d = t.data();
        MemorySegment view = d.isNative() ? MemorySegment.ofAddress(d.address()).reinterpret(d.byteSize()) : d;
        return new TensorData(t.name(), t.dtype(), t.shape(), view);
    }

    @Override
    public boolean has(String name) {
        return inner.has(name);
    }

    @Override
    public void close() {
        inner.close();
    }
}
