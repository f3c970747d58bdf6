package dev.pagoda.engine.load;

import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.quant.Dequantize;
import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --dtype} for real weights on the CPU: every float tensor (F32, F16, BF16) of another type
 * is held in {@code dtype} instead, cast on first use into memory of its own; tensors already in
 * it, and quantized ones, stay the mapped views they are. Closing releases the casts and the
 * source.
 */
public final class CastWeights implements WeightSource {

    /** Values cast per chunk: a few hundred KiB of floats whatever the tensor's size. */
    private static final int CHUNK = 1 << 16;

    private final WeightSource source;
    private final DType dtype;
    private final Map<String, TensorData> cast = new ConcurrentHashMap<>();
    private final Arena arena = Arena.ofShared();

    private CastWeights(WeightSource source, DType dtype) {
        this.source = source;
        this.dtype = dtype;
    }

    /**
     * {@code model} with its float weights held in {@code dtype}, or {@code model} itself when they
     * already are (or {@code dtype} is empty: {@code --dtype auto}).
     */
    public static LoadedModel apply(LoadedModel model, Optional<DType> dtype) {
        if (dtype.isEmpty() || dtype.get().name().equals(model.weightDtype())) return model;
        DType target = dtype.get();
        if (!FloatStore.isFloat(target)) throw new IllegalArgumentException("--dtype must be a float type, got " + target);
        String held = isFloatName(model.weightDtype()) ? target.name() : model.weightDtype();
        return new LoadedModel(model.spec(), new CastWeights(model.weights(), target), model.tokenizer(), model.chatTemplates(),
                model.generationDefaults(), model.name(), model.source(), held);
    }

    private static boolean isFloatName(String dtype) {
        return dtype.equals("F32") || dtype.equals("F16") || dtype.equals("BF16");
    }

    @Override
    public ModelSpec spec() {
        return source.spec();
    }

    @Override
    public Set<String> tensorNames() {
        return source.tensorNames();
    }

    @Override
    public TensorData tensor(String name) {
        TensorData t = source.tensor(name);
        if (t.dtype() == dtype || !FloatStore.isFloat(t.dtype())) return t;
        return cast.computeIfAbsent(name, n -> castOf(t));
    }

    private TensorData castOf(TensorData t) {
        long count = t.elementCount();
        MemorySegment data;
        try {
            data = arena.allocate(dtype.bytesFor(count), 64);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("not enough memory to hold " + t.name() + " as " + dtype + " (--dtype): "
                    + dtype.bytesFor(count) + " bytes", e);
        }
        float[] chunk = new float[(int) Math.min(CHUNK, count)];
        for (long at = 0; at < count; at += chunk.length) {
            int n = (int) Math.min(chunk.length, count - at);
            Dequantize.row(t.dtype(), t.data(), t.dtype().bytesFor(at), chunk, 0, n);
            for (int i = 0; i < n; i++) FloatStore.write(dtype, data, at + i, chunk[i]);
        }
        return new TensorData(t.name(), dtype, t.shape(), data);
    }

    /**
     * Frees the casts of {@code model} (made by {@link #apply}) but not the weights they were cast
     * from, for a caller that still owns and closes those; nothing for a model not cast.
     */
    public static void releaseCasts(LoadedModel model) {
        if (model.weights() instanceof CastWeights c && c.arena.scope().isAlive()) {
            c.cast.clear();
            c.arena.close();
        }
    }

    @Override
    public void close() {
        try {
            if (arena.scope().isAlive()) arena.close();
        } finally {
            source.close();
        }
    }
}
