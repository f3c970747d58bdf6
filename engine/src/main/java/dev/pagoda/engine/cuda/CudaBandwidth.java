package dev.pagoda.engine.cuda;

import org.bytedeco.cuda.global.cudart;

/**
 * The device's measured copy bandwidth, the yardstick of a memory-bound decode step: a step
 * must read every weight once, so {@code weight bytes / bandwidth} is its floor (the "roofline"
 * {@code pagoda bench latency} prints beside the measured step).
 */
public final class CudaBandwidth {

    private CudaBandwidth() {}

    /**
     * Bytes moved per second (read + write) by device-to-device copies of {@code bytes}, best of
     * a few repetitions.
     */
    public static double copyBytesPerSecond(CudaDevice device, long bytes) {
        CudaStream s = device.defaultStream();
        try (DeviceBuffer a = device.allocate(bytes); DeviceBuffer b = device.allocate(bytes); CudaEvents events = new CudaEvents()) {
            double best = 0;
            for (int i = 0; i < 6; i++) {
                events.start(s);
                CudaCalls.check(cudart.cudaMemcpyAsync(CudaCalls.at(b.address()), CudaCalls.at(a.address()), bytes,
                        cudart.cudaMemcpyDeviceToDevice, s.handle()), "cudaMemcpyAsync device->device");
                events.stop(s);
                float ms = events.elapsedMillis();
                if (i > 0) best = Math.max(best, 2.0 * bytes / (ms / 1e3));
            }
            return best;
        }
    }
}
