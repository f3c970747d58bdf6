package dev.pagoda.engine.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/**
 * GPU-side timing of a sequence of operations for profiling tools: {@link #mark} records an
 * event after each operation; {@link #millisByLabel} attributes the time between consecutive
 * marks to the later mark's label and sums equal labels (e.g. "attention" over all layers).
 * Events are reused across {@link #reset}s.
 */
public final class CudaTimeline implements AutoCloseable {

    private final List<CUevent_st> events = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private int used;

    public void reset() {
        used = 0;
        labels.clear();
    }

    public void mark(String label, CudaStream stream) {
        if (used == events.size()) {
            CUevent_st e = new CUevent_st();
            CudaCalls.check(cudart.cudaEventCreate(e), "cudaEventCreate");
            events.add(e);
        }
        CudaCalls.check(cudart.cudaEventRecord(events.get(used++), stream.handle()), "cudaEventRecord");
        labels.add(label);
    }

    /** Milliseconds per label, in first-seen order; waits for the last mark. */
    public Map<String, Double> millisByLabel() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (used == 0) return out;
        CudaCalls.check(cudart.cudaEventSynchronize(events.get(used - 1)), "cudaEventSynchronize");
        float[] ms = new float[1];
        for (int i = 1; i < used; i++) {
            CudaCalls.check(cudart.cudaEventElapsedTime(ms, events.get(i - 1), events.get(i)), "cudaEventElapsedTime");
            out.merge(labels.get(i), (double) ms[0], Double::sum);
        }
        return out;
    }

    @Override
    public void close() {
        for (CUevent_st e : events) cudart.cudaEventDestroy(e);
        events.clear();
    }
}
