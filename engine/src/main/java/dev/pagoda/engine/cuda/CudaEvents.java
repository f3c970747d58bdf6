package dev.pagoda.engine.cuda;

/** A pair of timed events around work on a stream, for GPU-side timings in benchmarks. */
public final class CudaEvents implements AutoCloseable {

    private final CudaEvent start = new CudaEvent(true);
    private final CudaEvent stop = new CudaEvent(true);

    public void start(CudaStream stream) {
        start.record(stream);
    }

    public void stop(CudaStream stream) {
        stop.record(stream);
    }

    /** Milliseconds between start and stop; waits for stop. */
    public float elapsedMillis() {
        stop.synchronize();
        return stop.millisSince(start);
    }

    /** Mean milliseconds of one {@code launch} on {@code stream}: {@code warmup} untimed runs, then {@code iters} timed. */
    public double millisPerRun(CudaStream stream, int warmup, int iters, Runnable launch) {
        for (int i = 0; i < warmup; i++) launch.run();
        start(stream);
        for (int i = 0; i < iters; i++) launch.run();
        stop(stream);
        return elapsedMillis() / iters;
    }

    @Override
    public void close() {
        start.close();
        stop.close();
    }
}
