package dev.pagoda.catalog.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model named the way {@code pagoda serve} and {@code pagoda pull} take it:
 * {@code ORG/NAME[@REVISION][/FILE]}, e.g. {@code Qwen/Qwen2.5-0.5B-Instruct},
 * {@code Qwen/Qwen2.5-0.5B-Instruct@v1.0} or, in a repo of several GGUF files,
 * {@code bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q8_0.gguf}.
 *
 * @param repo     the repository
 * @param revision a branch, tag or commit hash; null for the default ({@code main})
 * @param file     a path inside the repository ({@code .gguf} may be left out); null for the whole model
 */
public record HubRef(RepoId repo, String revision, String file) {

    /** The branch huggingface_hub resolves when no revision is given. */
    public static final String DEFAULT_REVISION = "main";

    // Git ref names as the hub accepts them in URLs; '/' for refs like pr/1, never '..' (see the check).
    private static final Pattern REVISION = Pattern.compile("[\\w.+-]+(/[\\w.+-]+)*");
    private static final Pattern FILE = Pattern.compile("[^\\\\:*?\"<>|\\x00-\\x1f]+");

    public HubRef {
        if (repo == null) throw new IllegalArgumentException("a hub reference needs a repo id");
        if (revision != null && (!REVISION.matcher(revision).matches() || revision.contains(".."))) {
            throw new IllegalArgumentException("'" + revision + "' is not a revision (a branch, tag or commit hash)");
        }
        if (file != null && (!FILE.matcher(file).matches() || file.startsWith("/") || file.endsWith("/")
                || ("/" + file + "/").contains("/../") || ("/" + file + "/").contains("/./") || file.contains("//"))) {
            throw new IllegalArgumentException("'" + file + "' is not a file path inside a repo");
        }
    }

    /** {@code ORG/NAME[@REVISION][/FILE]}, or empty when {@code text} does not have that form. */
    public static Optional<HubRef> parse(String text) {
        if (text == null) return Optional.empty();
        int first = text.indexOf('/');
        if (first <= 0) return Optional.empty();
        int second = text.indexOf('/', first + 1);
        String repoPart = second < 0 ? text : text.substring(0, second);
        String file = second < 0 ? null : text.substring(second + 1);
        String revision = null;
        int at = repoPart.indexOf('@');
        if (at >= 0) {
            revision = repoPart.substring(at + 1);
            repoPart = repoPart.substring(0, at);
        }
        Optional<RepoId> repo = RepoId.parse(repoPart);
        if (repo.isEmpty()) return Optional.empty();
        try {
            return Optional.of(new HubRef(repo.get(), revision, file));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * This reference with {@code --revision} applied: the flag fills a missing revision and must
     * agree with one given after {@code @}.
     *
     * @throws IllegalArgumentException when both name a revision and they differ
     */
    public HubRef withRevision(String flagRevision) {
        if (flagRevision == null || flagRevision.equals(revision)) return this;
        if (revision != null) {
            throw new IllegalArgumentException(repo + "@" + revision + " and --revision " + flagRevision
                    + " name different revisions; give one");
        }
        return new HubRef(repo, flagRevision, file);
    }

    /** The revision to ask for: the one given, else {@value #DEFAULT_REVISION}. */
    public String revisionOrDefault() {
        return revision != null ? revision : DEFAULT_REVISION;
    }

    /** As it would be typed: {@code ORG/NAME[@REVISION][/FILE]}. */
    @Override
    public String toString() {
        return repo + (revision != null ? "@" + revision : "") + (file != null ? "/" + file : "");
    }
}
