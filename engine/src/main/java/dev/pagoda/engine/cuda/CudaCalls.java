package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/** Return-code checks for the three libraries, turning a status into a {@link CudaException} that says which call failed. */
final class CudaCalls {

    private CudaCalls() {}

    static void check(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(call + " failed: " + cudaError(status) + " (" + status + ")");
        }
    }

    static void checkDriver(int status, String call) {
        if (status != 0) {
            BytePointer text = new BytePointer((Pointer) null);
            cudart.cuGetErrorString(status, text);
            String s = text.isNull() ? "unknown driver error" : text.getString();
            throw new CudaException(call + " failed: " + s + " (" + status + ")");
        }
    }

    static void checkBlas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            BytePointer text = cublas.cublasGetStatusString(status);
            throw new CudaException(call + " failed: " + (text == null ? "cuBLAS status" : text.getString()) + " (" + status + ")");
        }
    }

    static void checkNvrtc(int status, String call) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            BytePointer text = nvrtc.nvrtcGetErrorString(status);
            throw new CudaException(call + " failed: " + (text == null ? "NVRTC status" : text.getString()) + " (" + status + ")");
        }
    }

    static String cudaError(int status) {
        BytePointer text = cudart.cudaGetErrorString(status);
        return text == null ? "CUDA error" : text.getString();
    }

    /** A javacpp pointer at a raw address (device or host), for calls that take {@code void*}. */
    static Pointer at(long address) {
        return new RawPointer(address);
    }

    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }
}
