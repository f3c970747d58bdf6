package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.global.cudart;

/** One {@code extern "C" __global__} function of a loaded {@link CudaModule}. */
public final class CudaFunction {

    private final CUfunc_st handle;
    private final String name;

    CudaFunction(CUfunc_st handle, String name) {
        this.handle = handle;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void launch(CudaStream stream, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        CudaCalls.checkDriver(cudart.cuLaunchKernel(handle, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                dynamicSharedBytes, stream.handle(), args.params(), (org.bytedeco.javacpp.PointerPointer<?>) null), "cuLaunchKernel(" + name + ")");
    }

    /** Lets a launch ask for more than the default 48 KiB of dynamic shared memory. */
    public void setMaxDynamicSharedBytes(int bytes) {
        CudaCalls.checkDriver(cudart.cuFuncSetAttribute(handle, cudart.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + name + ", max dynamic shared " + bytes + ")");
    }
}
