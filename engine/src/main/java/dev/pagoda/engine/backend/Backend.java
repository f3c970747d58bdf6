package dev.pagoda.engine.backend;

import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.runner.ModelRunner;

/**
 * A model set up on a device, as the engine needs it.
 *
 * @param runner      executes the scheduler's steps; the engine owns and closes it
 * @param capacity    the KV blocks the device holds
 * @param device      "cpu" or "cuda:N"
 * @param weightDtype how the device holds the weights, e.g. "BF16" on CUDA, the stored dtype on the CPU
 * @param description the start-up line (device, memory split)
 * @param model       the model as the backend reads it ({@code --dtype} casts on the CPU); the engine closes it
 */
public record Backend(ModelRunner runner, KvCapacity capacity, String device, String weightDtype, String description,
                      LoadedModel model) {

    public boolean gpu() {
        return !device.equals("cpu");
    }
}
