package dev.pagoda.engine.backend;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.backend.cuda.CudaModel;
import dev.pagoda.engine.backend.cuda.CudaStepExecutor;
import dev.pagoda.engine.cuda.Cublas;
import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.kernels.CudaKernels;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.model.arch.Architectures;
import dev.pagoda.engine.runner.CudaModelRunner;
import dev.pagoda.engine.sample.SamplerVocab;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sets up the CUDA backend for an engine: device, kernels, cuBLAS, weights, step buffers, then
 * the KV cache from what {@code --gpu-memory-utilization} leaves, as vLLM does — the memory the
 * process may use is {@code utilization × card}; weights, activations (sized for the largest
 * step, so their peak is what is allocated) and workspaces are measured, the KV pool gets the
 * rest less a reserve for the CUDA context, graphs and NVRTC modules.
 */
public final class CudaBackend {

    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());
    /** The CUDA context, captured graphs and loaded modules live outside our allocations. */
    static final long RESERVE_BYTES = 1L << 30;

    private CudaBackend() {}

    /** "cpu" or "cuda:N" for {@code --device}: auto picks CUDA when usable and says why not otherwise. */
    public static String resolveDevice(String requested) {
        if (requested.equals("cpu")) return "cpu";
        Optional<String> reason = CudaDevice.unavailableReason();
        if (requested.equals("auto")) {
            if (reason.isPresent()) {
                LOG.log(System.Logger.Level.INFO, "CUDA not used (" + reason.get() + "); running on the CPU");
                return "cpu";
            }
            return "cuda:0";
        }
        if (reason.isPresent()) {
            throw new IllegalArgumentException("--device " + requested + " is not usable here: " + reason.get()
                    + " (use --device cpu)");
        }
        return requested.equals("cuda") ? "cuda:0" : requested;
    }

    /** Sets the model up on {@code device} ("cuda:N"). */
    public static Backend create(LoadedModel model, BackendConfig config, String device, SamplerVocab vocab) {
        if (config.weightDtype().filter(d -> d != DType.BF16).isPresent()) {
            throw new IllegalArgumentException("--dtype " + config.dtype() + ": the CUDA backend holds weights in bfloat16 (use --dtype auto or bfloat16 there, or --device cpu)");
        }
        int ordinal = CudaDevice.ordinalOf(device);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            CudaDevice cuda = CudaDevice.open(ordinal);
            opened.add(cuda);
            long freeAtStart = cuda.freeMemory();
            CudaKernels kernels = CudaKernels.load(cuda);
            opened.add(kernels);
            Cublas blas = new Cublas(cuda);
            opened.add(blas);
            int maxModelLen = config.maxModelLen();
            int maxTokens = config.maxTokens(true);
            int maxSeqs = config.maxSampledRows(true);
            CudaModel cudaModel = new CudaModel(cuda, kernels, blas, model.weights(), Architectures::create,
                    new CudaModel.Limits(maxTokens, maxSeqs, maxModelLen, config.blockSize(), 4 * maxSeqs));
            opened.add(cudaModel);
            long usedByUs = freeAtStart - cuda.freeMemory();
            KvCapacity capacity = KvCapacity.forCuda(config, cuda.totalMemory(), usedByUs + RESERVE_BYTES,
                    cuda.freeMemory() - RESERVE_BYTES / 4, cudaModel.kvBytesPerBlock());
            cudaModel.allocateKvCache(capacity.numBlocks());
            String description = String.format(Locale.ROOT,
                    "CUDA %s: weights %.2f GiB, activations %.2f GiB, KV cache %.2f GiB (%d blocks) at --gpu-memory-utilization %.2f",
                    cuda.describe(), cudaModel.weightBytes() / GIB, cudaModel.activationBytes() / GIB, cudaModel.kvBytes() / GIB,
                    capacity.numBlocks(), config.gpuMemoryUtilization());
            CudaStepExecutor executor = new CudaStepExecutor(cudaModel, true);
            List<AutoCloseable> owned = List.copyOf(opened);
            CudaModelRunner runner = new CudaModelRunner(executor, () -> closeAll(owned), vocab, maxSeqs);
            return new Backend(runner, capacity, device, "BF16", description, model);
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    private static void closeAll(List<AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + opened.get(i) + " failed: " + e.getMessage());
            }
        }
    }
}
