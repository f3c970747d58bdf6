package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/** A pair of events around work on a stream, for GPU-side timings in benchmarks. */
public final class CudaEvents implements AutoCloseable {

    private final CUevent_st start = new CUevent_st();
    private final CUevent_st stop = new CUevent_st();

    public CudaEvents() {
        CudaCalls.check(cudart.cudaEventCreate(start), "cudaEventCreate");
        CudaCalls.check(cudart.cudaEventCreate(stop), "cudaEventCreate");
    }

    public void start(CudaStream stream) {
        CudaCalls.check(cudart.cudaEventRecord(start, stream.handle()), "cudaEventRecord");
    }

    public void stop(CudaStream stream) {
        CudaCalls.check(cudart.cudaEventRecord(stop, stream.handle()), "cudaEventRecord");
    }

    /** Milliseconds between start and stop; waits for stop. */
    public float elapsedMillis() {
        CudaCalls.check(cudart.cudaEventSynchronize(stop), "cudaEventSynchronize");
        float[] ms = new float[1];
        CudaCalls.check(cudart.cudaEventElapsedTime(ms, start, stop), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        cudart.cudaEventDestroy(start);
        cudart.cudaEventDestroy(stop);
    }
}
