package dev.pagoda.engine.eval;

import dev.pagoda.catalog.tensor.DType;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.eval.Perplexity.Result;
import dev.pagoda.engine.load.LoadFormat;
import dev.pagoda.engine.load.LoadedModel;
import dev.pagoda.engine.load.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Held-out perplexity of a model on the CPU (fp32), the number the demo recipe's {@code heldout.py} prints for the same
 * windows:
 * <pre>
 *   java ... dev.pagoda.engine.eval.PerplexityMain [--model DIR|FILE.gguf] --ids heldout.bin [--window 512] [--windows 64] [--threads 2]
 * </pre>
 * {@code --ids} is a file of little-endian uint16 token ids (what the recipe's prepare.py writes); without
 * {@code --model} the demo model is measured.
 */
public final class PerplexityMain {

    private PerplexityMain() {}

    public static void main(String[] args) {
        String modelArg = null;
        Path ids = null;
        int window = 512, windows = 64, threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 == args.length) usage("missing value for " + option);
            String value = args[++i];
            switch (option) {
                case "--model" -> modelArg = value;
                case "--ids" -> ids = Path.of(value);
                case "--window" -> window = Integer.parseInt(value);
                case "--windows" -> windows = Integer.parseInt(value);
                case "--threads" -> threads = Integer.parseInt(value);
                default -> usage("unknown option " + option);
            }
        }
        if (ids == null) usage("--ids FILE is required");
        long t0 = System.nanoTime();
        try (Parallel parallel = new Parallel(threads);
             LoadedModel loaded = new ModelLoader(parallel).load(modelArg, LoadFormat.AUTO, spec -> DType.F32, 0);
             Perplexity scorer = new Perplexity(loaded.weights(), parallel, window)) {
            List<int[]> data = Perplexity.readWindows(ids, window, windows);
            Result r = scorer.evaluate(data);
            System.out.printf(Locale.ROOT, "%s (%s): perplexity %.4f, mean NLL %.6f over %d windows of %d tokens (%d predictions), %d threads, %.1f s%n",
                    loaded.name(), loaded.weightDtype(), r.perplexity(), r.meanNll(), r.windows(), window, r.predictions(), threads,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void usage(String problem) {
        System.err.println("PerplexityMain: " + problem + "; options: --model DIR|FILE.gguf --ids FILE --window N --windows N (0 = all) --threads N");
        System.exit(2);
    }
}
