package dev.pagoda.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform worker threads for the CPU kernels. The engine loop calls
 * {@link #forRange} hundreds of times per step, so a call must cost microseconds: a loop is split
 * into a few contiguous chunks (no per-element task objects), the calling thread works too, and
 * the call returns as soon as every chunk is done — it never waits for a worker that found
 * nothing left to take (on a loaded machine a sleeping worker may take a scheduler tick to wake).
 * Idle workers spin briefly before parking, because the next loop usually follows within
 * microseconds. One instance is shared by every kernel of a model runner; it is passed in, never
 * global.
 */
public final class Parallel implements AutoCloseable {

    /** Body of a parallel loop: handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Spin iterations before an idle worker parks (~tens of microseconds). */
    private static final int IDLE_SPINS = 20_000;

    /** One call of {@link #forRange}: immutable apart from its counters. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int grain;
        final int chunks;
        final AtomicInteger nextChunk = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.grain = (n + chunks - 1) / chunks;
            this.unfinished = new AtomicInteger(chunks);
        }

        /** Takes and runs chunks until none is left. */
        void drain() {
            int c;
            while ((c = nextChunk.getAndIncrement()) < chunks) {
                int start = c * grain;
                try {
                    if (start < n) body.run(start, Math.min(n, start + grain));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    unfinished.decrementAndGet();
                }
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private volatile Job current;
    private volatile boolean closed;

    /** @param threads total threads working on a loop, the caller included; at least 1 */
    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("pagoda-cpu-" + i).start(this::workerLoop);
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into chunks of at least {@code minChunk} indices,
     * and returns when every chunk is done. Rethrows the first failure of any chunk. Not
     * reentrant: call it from one thread (the engine loop) at a time.
     */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads * 4, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || threads == 1) {
            body.run(0, n);
            return;
        }
        Job job = new Job(body, n, chunks);
        current = job;
        for (Thread w : workers) LockSupport.unpark(w);
        job.drain();
        int spins = 0;
        while (job.unfinished.get() > 0) {
            // Only chunks already being run remain; they finish soon unless their thread was descheduled.
            if (++spins < 1_000) Thread.onSpinWait();
            else Thread.yield();
        }
        Throwable t = job.failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException(t);
    }

    private void workerLoop() {
        Job seen = null;
        int spins = 0;
        while (!closed) {
            Job job = current;
            if (job != null && job != seen) {
                seen = job;
                job.drain();
                spins = 0;
            } else if (++spins < IDLE_SPINS) {
                Thread.onSpinWait();
            } else {
                // forRange unparks after publishing a job, so a job published before this park
                // leaves a permit and park returns at once: no wake-up is lost.
                LockSupport.park(this);
                spins = 0;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
