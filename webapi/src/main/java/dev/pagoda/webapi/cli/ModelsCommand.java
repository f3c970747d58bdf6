package dev.pagoda.webapi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pagoda.catalog.discovery.DiscoveredModel;
import dev.pagoda.catalog.discovery.DiscoveryProblem;
import dev.pagoda.catalog.discovery.DiscoveryResult;
import dev.pagoda.catalog.hub.HubCache;
import dev.pagoda.catalog.discovery.ModelDiscovery;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pagoda models}: lists the models found in folders, the HF hub cache and .gguf files, as
 * a table followed by the problems met, or as JSON. Problems never fail the command (exit 0):
 * one unreadable model must not hide the others.
 */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List local models.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder (or .gguf file) to scan, repeatable. Default: the HF hub cache and ~/models, where present.")
    List<Path> dirs;

    @Option(names = "--json", description = "Print the models and problems as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> roots = dirs != null ? dirs : defaultRoots();
        DiscoveryResult result = new ModelDiscovery().scan(roots);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(JsonListing.of(result)));
        } else if (roots.isEmpty()) {
            out.println("No model folders: neither the HF hub cache nor ~/models exists. Use --dir DIR.");
        } else {
            printTable(out, result, roots);
        }
        out.flush();
        return 0;
    }

    /** The HF hub cache (as huggingface_hub locates it) and ~/models, those that exist. */
    private static List<Path> defaultRoots() {
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> roots = new ArrayList<>();
        for (Path p : List.of(HubCache.defaultLocation(System.getenv(), home), home.resolve("models"))) {
            if (Files.isDirectory(p)) roots.add(p);
        }
        return roots;
    }

    private static void printTable(PrintWriter out, DiscoveryResult result, List<Path> roots) {
        if (result.models().isEmpty()) {
            out.println("No models found in " + String.join(", ", roots.stream().map(Path::toString).toList()) + ".");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "ARCH", "PARAMS", "DTYPE", "SIZE", "CONTEXT", "PATH"});
            for (DiscoveredModel m : result.models()) {
                rows.add(new String[] {m.name(), m.architecture().hfModelType, humanCount(m.parameterCount()), m.dtype(),
                        humanBytes(m.sizeBytes()), Integer.toString(m.contextLength()), m.path().toString()});
            }
            int[] widths = new int[rows.getFirst().length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) widths[i] = Math.max(widths[i], row[i].length());
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
                }
                out.println(line);
            }
        }
        if (!result.problems().isEmpty()) {
            out.println();
            out.println("Problems (" + result.problems().size() + "):");
            for (DiscoveryProblem p : result.problems()) out.println("  " + p.path() + ": " + p.reason());
        }
    }

    /** 494032768 -> "494M", 8030261248 -> "8.0B", 180224 -> "180K": one decimal below 10 of a unit. */
    static String humanCount(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        if (n >= 1_000_000L) return scaled(n / 1e6, "M");
        if (n >= 1_000L) return scaled(n / 1e3, "K");
        return Long.toString(n);
    }

    private static String scaled(double value, String unit) {
        return String.format(Locale.ROOT, value < 10 ? "%.1f%s" : "%.0f%s", value, unit);
    }

    /** Binary units, as disk tools show model files: "942.3 MiB", "15.0 GiB". */
    static String humanBytes(long bytes) {
        double mib = bytes / (double) (1L << 20);
        return mib < 1024 ? String.format(Locale.ROOT, "%.1f MiB", mib) : String.format(Locale.ROOT, "%.1f GiB", mib / 1024);
    }

    /** The --json document: plain strings and numbers (paths as file paths, not URIs). */
    record JsonListing(List<JsonModel> models, List<JsonProblem> problems) {
        static JsonListing of(DiscoveryResult r) {
            return new JsonListing(
                    r.models().stream().map(m -> new JsonModel(m.name(), m.path().toString(),
                            m.format().name().toLowerCase(Locale.ROOT), m.architecture().hfModelType, m.parameterCount(),
                            m.dtype(), m.sizeBytes(), m.contextLength())).toList(),
                    r.problems().stream().map(p -> new JsonProblem(p.path().toString(), p.reason())).toList());
        }
    }

    record JsonModel(String name, String path, String format, String architecture, long parameters, String dtype,
                     long sizeBytes, int contextLength) {}

    record JsonProblem(String path, String reason) {}
}
