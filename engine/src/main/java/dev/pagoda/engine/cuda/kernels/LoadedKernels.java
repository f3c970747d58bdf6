package dev.pagoda.engine.cuda.kernels;

import dev.pagoda.engine.cuda.CudaDevice;
import dev.pagoda.engine.cuda.CudaFunction;
import dev.pagoda.engine.cuda.CudaModule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The compiled modules of every {@link KernelSource}, with their functions looked up once. */
final class LoadedKernels implements AutoCloseable {

    private final List<CudaModule> modules = new ArrayList<>();
    private final Map<String, CudaFunction> functions = new HashMap<>();

    LoadedKernels(CudaDevice device, List<KernelSource> sources) {
        try {
            for (KernelSource source : sources) {
                CudaModule module = CudaModule.load(device, source.resourcePath());
                modules.add(module);
                for (String name : source.functions()) functions.put(name, module.function(name));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    CudaFunction function(String name) {
        CudaFunction f = functions.get(name);
        if (f == null) throw new IllegalStateException("kernel " + name + " is not listed in any KernelSource");
        return f;
    }

    @Override
    public void close() {
        for (CudaModule m : modules) m.close();
        modules.clear();
        functions.clear();
    }
}
