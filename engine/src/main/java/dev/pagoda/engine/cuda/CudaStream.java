package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/** A non-blocking CUDA stream (it does not wait for the legacy default stream). */
public final class CudaStream implements AutoCloseable {

    private final CUstream_st handle = new CUstream_st();
    private boolean closed;

    CudaStream() {
        CudaCalls.check(cudart.cudaStreamCreateWithFlags(handle, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    }

    CUstream_st handle() {
        return handle;
    }

    public void synchronize() {
        CudaCalls.check(cudart.cudaStreamSynchronize(handle), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cudart.cudaStreamDestroy(handle);
    }
}
