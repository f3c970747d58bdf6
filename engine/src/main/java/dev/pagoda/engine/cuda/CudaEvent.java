package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/**
 * One event: recorded after a step's work on a stream, waited on by the host when it needs that
 * step's results while later steps are already queued behind it. Two timed events give the GPU
 * time between them (the time the device reached each, not when the host queued it).
 */
public final class CudaEvent implements AutoCloseable {

    private final CUevent_st event = new CUevent_st();

    /** @param timed whether {@link #millisSince} may use it (untimed events are cheaper to wait on) */
    public CudaEvent(boolean timed) {
        CudaCalls.check(cudart.cudaEventCreateWithFlags(event, timed ? cudart.cudaEventDefault : cudart.cudaEventDisableTiming),
                "cudaEventCreateWithFlags");
    }

    /** Marks the point after everything queued on {@code stream} so far. */
    public void record(CudaStream stream) {
        CudaCalls.check(cudart.cudaEventRecord(event, stream.handle()), "cudaEventRecord");
    }

    /** Waits until the work before the last {@link #record} has finished. */
    public void synchronize() {
        CudaCalls.check(cudart.cudaEventSynchronize(event), "cudaEventSynchronize");
    }

    /** Milliseconds of device time from {@code earlier} to this event; both timed and completed. */
    public float millisSince(CudaEvent earlier) {
        float[] ms = new float[1];
        CudaCalls.check(cudart.cudaEventElapsedTime(ms, earlier.event, event), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        cudart.cudaEventDestroy(event);
    }
}
