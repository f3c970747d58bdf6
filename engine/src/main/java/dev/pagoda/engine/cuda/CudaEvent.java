package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/**
 * One event without timing: recorded after a step's work on a stream, waited on by the host when
 * it needs that step's results while later steps are already queued behind it.
 */
public final class CudaEvent implements AutoCloseable {

    private final CUevent_st event = new CUevent_st();

    public CudaEvent() {
        CudaCalls.check(cudart.cudaEventCreateWithFlags(event, cudart.cudaEventDisableTiming), "cudaEventCreateWithFlags");
    }

    /** Marks the point after everything queued on {@code stream} so far. */
    public void record(CudaStream stream) {
        CudaCalls.check(cudart.cudaEventRecord(event, stream.handle()), "cudaEventRecord");
    }

    /** Waits until the work before the last {@link #record} has finished. */
    public void synchronize() {
        CudaCalls.check(cudart.cudaEventSynchronize(event), "cudaEventSynchronize");
    }

    @Override
    public void close() {
        cudart.cudaEventDestroy(event);
    }
}
