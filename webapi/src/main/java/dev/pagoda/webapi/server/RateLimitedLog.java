package dev.pagoda.webapi.server;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * A logger that writes at most {@code burst} lines at once and one more per {@code interval} after
 * that; what it holds back is counted in the next line it writes. For whatever a client can make
 * happen in a loop: without it one unauthenticated client fills the disk.
 */
final class RateLimitedLog {

    private final System.Logger logger;
    private final int burst;
    private final long intervalNanos;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private long heldBack;

    RateLimitedLog(System.Logger logger, int burst, Duration interval) {
        this.logger = logger;
        this.burst = burst;
        this.intervalNanos = interval.toNanos();
        this.tokens = burst;
    }

    void log(Level level, String line) {
        log(level, line, null);
    }

    /** {@code thrown}, when not null, is logged with its stack trace (for server faults, never client ones). */
    void log(Level level, String line, Throwable thrown) {
        if (!logger.isLoggable(level)) return;
        long held = take();
        if (held < 0) return;
        String text = held == 0 ? line : line + " (" + held + " similar lines not logged)";
        if (thrown == null) logger.log(level, text);
        else logger.log(level, text, thrown);
    }

    /** The lines held back since the last one written, or -1 when this one must be held back too. */
    private synchronized long take() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - refilledAt) / (double) intervalNanos);
        refilledAt = now;
        if (tokens < 1) {
            heldBack++;
            return -1;
        }
        tokens--;
        long held = heldBack;
        heldBack = 0;
        return held;
    }
}
