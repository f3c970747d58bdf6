package dev.pagoda.webapi.cli;

import dev.pagoda.catalog.hub.PullListener;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * How {@code pagoda pull} shows its progress: on a terminal one bar per file, redrawn in place
 * (at most ten times a second); anywhere else (a log, CI, Kubernetes) plain lines — each file's
 * start and end, and every tenth of a large one.
 */
final class PullProgress {

    /** Files this large also report each tenth done in plain output. */
    private static final long LARGE = 64L << 20;

    private PullProgress() {}

    /** A bar when standard output is a terminal, else lines. */
    static PullListener forOutput(PrintWriter out) {
        Console console = System.console();
        return console != null && console.isTerminal() ? new Bar(out) : new Lines(out);
    }

    /** "874 B", "14.4 KiB", "270.5 MiB", "15.0 GiB". */
    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        return ModelsCommand.humanBytes(bytes);
    }

    /** Plain lines, one per event. */
    static final class Lines implements PullListener {
        private final PrintWriter out;
        private int tenths;
        private long startNanos;

        Lines(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void listed(String commit, int files, long totalBytes) {
            line(files + " files at " + commit + (totalBytes >= 0 ? ", " + human(totalBytes) : ""));
        }

        @Override
        public void cached(String file, long size) {
            line(file + ": in the cache already");
        }

        @Override
        public void started(String file, long size, long resumedFrom) {
            tenths = (int) (resumedFrom * 10 / Math.max(1, size));
            startNanos = System.nanoTime();
            line(resumedFrom > 0 ? file + ": resuming at " + human(resumedFrom) + " of " + human(size) : file + ": downloading " + human(size));
        }

        @Override
        public void progress(String file, long done, long size) {
            int now = (int) (done * 10 / Math.max(1, size));
            if (size >= LARGE && now > tenths && now < 10) line(String.format(Locale.ROOT, "%s: %d%% (%s)", file, now * 10, human(done)));
            tenths = Math.max(tenths, now);
        }

        @Override
        public void retrying(String file, long done, String reason) {
            line(file + ": the connection broke at " + human(done) + " (" + reason + "); resuming");
        }

        @Override
        public void finished(String file, long size) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            line(String.format(Locale.ROOT, "%s: done, %s in %.1f s, checksum verified", file, human(size), seconds));
        }

        private void line(String text) {
            out.println(text);
            out.flush();
        }
    }

    /** A bar redrawn in place with a carriage return: {@code name  45% [#########.........] 126.2/280.5 MiB 38.1 MiB/s}. */
    static final class Bar implements PullListener {
        private static final int WIDTH = 24;
        private static final long REDRAW_NANOS = 100_000_000;
        private final PrintWriter out;
        private long startNanos, lastDraw, startBytes;

        Bar(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void cached(String file, long size) {
            out.println(shortName(file) + "  in the cache already");
            out.flush();
        }

        @Override
        public void started(String file, long size, long resumedFrom) {
            startNanos = System.nanoTime();
            startBytes = resumedFrom;
            lastDraw = 0;
            draw(file, resumedFrom, size, true);
        }

        @Override
        public void progress(String file, long done, long size) {
            draw(file, done, size, false);
        }

        @Override
        public void retrying(String file, long done, String reason) {
            out.print("\r" + shortName(file) + "  connection broke at " + human(done) + ", resuming…\u001b[K");
            out.flush();
        }

        @Override
        public void finished(String file, long size) {
            draw(file, size, size, true);
            out.println();
            out.flush();
        }

        private void draw(String file, long done, long size, boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastDraw < REDRAW_NANOS) return;
            lastDraw = now;
            double fraction = size == 0 ? 1 : done / (double) size;
            int filled = (int) Math.round(fraction * WIDTH);
            double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
            double rate = (done - startBytes) / seconds / (1L << 20);
            out.printf(Locale.ROOT, "\r%s %3d%% [%s%s] %s / %s %.1f MiB/s\u001b[K", shortName(file), Math.round(fraction * 100),
                    "#".repeat(filled), ".".repeat(WIDTH - filled), human(done), human(size), rate);
            out.flush();
        }

        /** As huggingface_hub shortens names for its bars: the last 40 characters. */
        private static String shortName(String file) {
            return file.length() > 40 ? "(…)" + file.substring(file.length() - 40) : file;
        }
    }
}
