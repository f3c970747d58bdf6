package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Linear layers as cuBLAS GEMMs: bf16 inputs, fp32 accumulation. Activations are row-major
 * {@code x (T, K)}, weights row-major HF {@code w (N, K)} (out_features × in_features), and
 * {@code y (T, N) = x · wᵀ (+ beta · y)}. In cuBLAS's column-major terms that is
 * {@code yᶜ (N, T) = op_T(wᶜ (K, N)) · xᶜ (K, T)}, so no transposed copy is ever made.
 *
 * <p>{@code beta = 1} with an f32 output is how the residual add is fused: the o_proj and
 * down_proj GEMMs accumulate straight into the f32 residual stream. The handle gets a fixed
 * workspace so a CUDA-graph capture never allocates.
 */
public final class Cublas implements AutoCloseable {

    /** Output element type of a GEMM. */
    public enum Out { F32, BF16 }

    private static final long WORKSPACE_BYTES = 32L << 20;

    private final cublasContext handle = new cublasContext();
    private final DeviceBuffer workspace;
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);

    public Cublas(CudaDevice device) {
        device.makeCurrent();
        CudaCalls.checkBlas(cublas.cublasCreate_v2(handle), "cublasCreate");
        CudaCalls.checkBlas(cublas.cublasSetStream_v2(handle, device.defaultStream().handle()), "cublasSetStream");
        this.workspace = device.allocate(WORKSPACE_BYTES);
        CudaCalls.checkBlas(cublas.cublasSetWorkspace_v2(handle, CudaCalls.at(workspace.address()), WORKSPACE_BYTES), "cublasSetWorkspace");
    }

    /**
     * {@code y (T, N) = x (T, K) bf16 · w (N, K) bf16ᵀ}, or {@code y += …} when {@code accumulate}
     * (f32 output only: the fused residual add).
     */
    public void linear(long x, long w, long y, Out out, int tokens, int outFeatures, int inFeatures, boolean accumulate) {
        if (accumulate && out != Out.F32) throw new IllegalArgumentException("accumulating GEMMs write f32");
        int yType = out == Out.F32 ? cudart.CUDA_R_32F : cudart.CUDA_R_16BF;
        CudaCalls.checkBlas(cublas.cublasGemmEx(handle, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N,
                outFeatures, tokens, inFeatures,
                one, CudaCalls.at(w), cudart.CUDA_R_16BF, inFeatures,
                CudaCalls.at(x), cudart.CUDA_R_16BF, inFeatures,
                accumulate ? one : zero, CudaCalls.at(y), yType, outFeatures,
                cublas.CUBLAS_COMPUTE_32F, cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
    }

    @Override
    public void close() {
        cublas.cublasDestroy_v2(handle);
        workspace.close();
        one.close();
        zero.close();
    }
}
