package dev.pagoda.catalog.gguf;

import dev.pagoda.catalog.ModelFormatException;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.TensorData;
import dev.pagoda.catalog.tensor.WeightSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GGUF model as a {@link WeightSource}: tensors under their HF names, in HF layout. Everything
 * is a view of the mapped file except Llama-architecture q/k projections, whose rows llama.cpp
 * stored permuted (see {@link LlamaQkPermutation}); those are copied once, rows put back in HF
 * order, into native memory owned by this source.
 *
 * <p>Names outside the HF mapping stay as GGUF names; notably {@code rope_freqs.weight}, the
 * Llama-3 RoPE scaling factors (float32, head_dim/2 values), is exposed unchanged under that name.
 */
public final class GgufWeightSource implements WeightSource {

    private final GgufFile gguf;
    private final ModelSpec spec;
    private final Map<String, GgufTensorInfo> byHfName; // HF name -> GGUF tensor, file order
    private final Arena copies = Arena.ofShared();
    private final Map<String, TensorData> unpermuted = new ConcurrentHashMap<>();

    /** Takes ownership of {@code gguf}: closing this source closes it. */
    public GgufWeightSource(GgufFile gguf) {
        this.gguf = gguf;
        this.spec = GgufSpecMapper.map(gguf);
        Map<String, GgufTensorInfo> names = new LinkedHashMap<>();
        for (GgufTensorInfo info : gguf.tensorInfos()) {
            names.put(GgufTensorNames.toHf(info.name()).orElse(info.name()), info);
        }
        this.byHfName = Collections.unmodifiableMap(names);
    }

    public static GgufWeightSource open(Path path) {
        GgufFile gguf = GgufFile.open(path);
        try {
            return new GgufWeightSource(gguf);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    public GgufFile file() {
        return gguf;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Set<String> tensorNames() {
        return byHfName.keySet();
    }

    @Override
    public TensorData tensor(String name) {
        GgufTensorInfo info = byHfName.get(name);
        if (info == null) throw new IllegalArgumentException(gguf.path() + ": no tensor '" + name + "'");
        int heads = LlamaQkPermutation.permutedHeads(name, spec);
        if (heads == 0) return rename(gguf.tensor(info.name()), name);
        return unpermuted.computeIfAbsent(name, n -> unpermute(info, n, heads));
    }

    private TensorData unpermute(GgufTensorInfo info, String hfName, int heads) {
        TensorData stored = gguf.tensor(info.name());
        boolean vector = info.ne().length == 1;
        long rows = vector ? info.ne()[0] : info.rowCount();
        long rowBytes = vector ? stored.dtype().bytesFor(1) : info.rowBytes();
        if (vector && stored.dtype().quantized()) {
            throw new ModelFormatException(gguf.path(), info.name() + " is a quantized bias; cannot reorder its elements");
        }
        if (!LlamaQkPermutation.applies(rows, heads)) {
            throw new ModelFormatException(gguf.path(), info.name() + " has " + rows
                    + " rows, which do not split into " + heads + " heads of an even size");
        }
        MemorySegment src = stored.data();
        MemorySegment dst = copies.allocate(src.byteSize(), 64);
        for (long hfRow = 0; hfRow < rows; hfRow++) {
            long ggufRow = LlamaQkPermutation.ggufRowOf(hfRow, rows, heads);
            MemorySegment.copy(src, ggufRow * rowBytes, dst, hfRow * rowBytes, rowBytes);
        }
        return new TensorData(hfName, stored.dtype(), stored.shape(), dst);
    }

    private static TensorData rename(TensorData t, String name) {
        return new TensorData(name, t.dtype(), t.shape(), t.data());
    }

    @Override
    public void close() {
        copies.close();
        gguf.close();
    }
}
