package dev.pagoda.engine.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed set of platform worker threads for the CPU kernels. The engine loop calls
 * {@link #forRange} many times per step, so tasks are split into one contiguous chunk per worker
 * (no per-element task objects) and the calling thread works too instead of only waiting.
 * One instance is shared by every kernel of a model runner; it is passed in, never global.
 */
public final class Parallel implements AutoCloseable {

    /** Body of a parallel loop: handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private final int threads;
    private final Thread[] workers;
    private final Object lock = new Object();
    private long generation;
    private RangeBody body;
    private int n;
    private int grain;
    private AtomicInteger next;
    private CountDownLatch done;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
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
     * and returns when every chunk is done. Rethrows the first failure of any chunk.
     */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads * 4, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || threads == 1) {
            body.run(0, n);
            return;
        }
        int grainSize = (n + chunks - 1) / chunks;
        AtomicInteger cursor = new AtomicInteger();
        CountDownLatch latch = new CountDownLatch(workers.length);
        synchronized (lock) {
            this.body = body;
            this.n = n;
            this.grain = grainSize;
            this.next = cursor;
            this.done = latch;
            this.generation++;
            lock.notifyAll();
        }
        drain(body, n, grainSize, cursor);
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for CPU workers", e);
        }
        Throwable t = failure.getAndSet(null);
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException(t);
    }

    private void drain(RangeBody b, int total, int g, AtomicInteger cursor) {
        int start;
        while ((start = cursor.getAndAdd(g)) < total) {
            try {
                b.run(start, Math.min(total, start + g));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    private void workerLoop() {
        long seen = 0;
        while (true) {
            RangeBody b;
            int total, g;
            AtomicInteger cursor;
            CountDownLatch latch;
            synchronized (lock) {
                while (generation == seen && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                seen = generation;
                b = body;
                total = n;
                g = grain;
                cursor = next;
                latch = done;
            }
            drain(b, total, g, cursor);
            latch.countDown();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }
}
