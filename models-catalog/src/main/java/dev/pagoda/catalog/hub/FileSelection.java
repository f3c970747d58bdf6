package dev.pagoda.catalog.hub;

import dev.pagoda.catalog.hub.HubClient.RepoFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which files of a repo {@code pagoda pull} fetches: only what serving the model needs.
 * <ul>
 *   <li>always, where the repo has them (top level): config.json, generation_config.json and the
 *       tokenizer files;</li>
 *   <li>weights, by default: the top-level {@code *.safetensors} and their index; a repo without
 *       them, its one {@code .gguf} file (several: choose with {@code --include} or
 *       {@code ORG/NAME/FILE});</li>
 *   <li>with {@code --include GLOB} (repeatable; {@code fnmatch} patterns over repo paths, as
 *       huggingface_hub's {@code allow_patterns}: {@code *} crosses {@code /}): the matching files
 *       instead of the default weights.</li>
 * </ul>
 * Checkpoints in other formats ({@code *.bin}, {@code original/consolidated.pth}), READMEs and
 * images are left on the hub.
 */
public final class FileSelection {

    /** What transformers reads besides the weights, and Pagoda with it (tokenizer.json, chat templates, defaults). */
    private static final Set<String> METADATA = Set.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
            "tokenizer.model", "chat_template.jinja", "chat_template.json");

    private FileSelection() {}

    /**
     * @param ref     a file named in the reference ({@code ORG/NAME/FILE}) takes the place of the weights
     * @param include {@code --include} globs; empty for the default weights
     * @throws HubException when nothing loadable would be fetched, saying what to pass instead
     */
    public static List<RepoFile> select(HubRef ref, List<RepoFile> files, List<String> include) {
        List<RepoFile> chosen = new ArrayList<>();
        for (RepoFile f : files) {
            if (METADATA.contains(f.path())) chosen.add(f);
        }
        List<RepoFile> weights;
        if (ref.file() != null) {
            weights = files.stream().filter(f -> f.path().equals(ref.file()) || f.path().equals(ref.file() + ".gguf")).limit(1).toList();
            if (weights.isEmpty()) throw new HubException(ref.file() + " is not a file of " + ref.repo() + "@" + ref.revisionOrDefault());
        } else if (!include.isEmpty()) {
            List<Pattern> globs = include.stream().map(FileSelection::fnmatch).toList();
            weights = files.stream().filter(f -> globs.stream().anyMatch(g -> g.matcher(f.path()).matches())).toList();
            if (weights.isEmpty()) {
                throw new HubException("no file of " + ref.repo() + " matches --include " + String.join(" ", include) + " (files: "
                        + String.join(", ", files.stream().map(RepoFile::path).limit(20).toList()) + (files.size() > 20 ? ", …" : "") + ")");
            }
        } else {
            weights = defaultWeights(ref, files);
        }
        for (RepoFile w : weights) {
            if (!chosen.contains(w)) chosen.add(w);
        }
        return List.copyOf(chosen);
    }

    private static List<RepoFile> defaultWeights(HubRef ref, List<RepoFile> files) {
        List<RepoFile> safetensors = files.stream().filter(f -> topLevel(f) && (f.path().endsWith(".safetensors")
                || f.path().endsWith(".safetensors.index.json"))).toList();
        if (safetensors.stream().anyMatch(f -> f.path().endsWith(".safetensors"))) return safetensors;
        List<RepoFile> ggufs = files.stream().filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(".gguf"))
                .sorted(Comparator.comparing(RepoFile::path)).toList();
        if (ggufs.size() == 1) return ggufs;
        if (ggufs.size() > 1) {
            throw new HubException(ref.repo() + " holds " + ggufs.size() + " .gguf files; choose with --include, e.g. --include '*"
                    + suffix(ggufs.getFirst().path()) + "' (files: " + String.join(", ", ggufs.stream().map(RepoFile::path).toList()) + ")");
        }
        throw new HubException(ref.repo() + " has no .safetensors or .gguf weights, which is what Pagoda reads (--include '*' "
                + "fetches every file anyway)");
    }

    private static boolean topLevel(RepoFile f) {
        return f.path().indexOf('/') < 0;
    }

    /** "Qwen2.5-0.5B-Instruct-Q8_0.gguf" -> "Q8_0.gguf": the part that tells quantizations apart. */
    private static String suffix(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dash = name.lastIndexOf('-');
        return dash < 0 ? name : name.substring(dash + 1);
    }

    /** Python's {@code fnmatch.translate}: {@code *} any run (slashes too), {@code ?} one character, {@code [...]} a class. */
    static Pattern fnmatch(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String body = glob.substring(i + 1, end);
                        if (body.startsWith("!")) body = "^" + body.substring(1);
                        re.append('[').append(body.replace("\\", "\\\\")).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
