package dev.pagoda.engine.backend;

import dev.pagoda.engine.runner.ModelRunner;

/**
 * A model set up on a device, as the engine needs it.
 *
 * @param runner      executes the scheduler's steps; the engine owns and closes it
 * @param capacity    the KV blocks the device holds
 * @param device      "cpu" or "cuda:N"
 * @param weightDtype how the device holds the weights, e.g. "BF16" on CUDA, the stored dtype on the CPU
 * @param description the start-up line (device, memory split)
 */
public record Backend(ModelRunner runner, KvCapacity capacity, String device, String weightDtype, String description) {

    public boolean gpu() {
        return !device.equals("cpu");
    }
}
