package dev.pagoda.engine.backend;

import dev.pagoda.engine.backend.cpu.LinearFactory;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.sample.SamplerVocab;

/** Picks the device {@code --device} names and sets the model up on it. */
public final class Backends {

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {}

    /**
     * {@code --device auto} takes CUDA where it is usable and the model runs there, else the
     * CPU; {@code cuda} fails with the reason where it is not; {@code cpu} is the CPU.
     */
    public static Backend open(LoadedModel model, BackendConfig config, SamplerVocab vocab, Parallel parallel, LinearFactory linears) {
        String device = CudaBackend.resolveDevice(config.device());
        if (!device.equals("cpu")) {
            try {
                return CudaBackend.create(model, config, device, vocab);
            } catch (IllegalArgumentException e) {
                // --device auto promised the GPU only where it works: a model the CUDA backend cannot
                // run (e.g. an unsupported head size) still runs, on the CPU. An explicit cuda fails.
                if (!config.device().equals("auto")) throw e;
                LOG.log(System.Logger.Level.WARNING, "CUDA cannot run this model (" + e.getMessage() + "); running on the CPU");
            }
        }
        return CpuBackend.create(model, config, vocab, parallel, linears);
    }
}
