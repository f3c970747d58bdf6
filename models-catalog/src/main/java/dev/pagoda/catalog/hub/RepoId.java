package dev.pagoda.catalog.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Hugging Face model repository, {@code ORG/NAME}, checked as huggingface_hub's
 * {@code validate_repo_id} checks it: letters, digits, {@code - _ .}, no {@code --} or {@code ..},
 * at most 96 characters. Pagoda asks for the organisation too (the hub's legacy one-word ids
 * would be mistaken for local names and built-in shapes).
 *
 * @param org  user or organisation, e.g. {@code Qwen}
 * @param name repository name, e.g. {@code Qwen2.5-0.5B-Instruct}
 */
public record RepoId(String org, String name) {

    private static final Pattern PART = Pattern.compile("[\\w.-]+");
    private static final int MAX_LENGTH = 96;

    public RepoId {
        if (!validPart(org) || !validPart(name) || org.length() + 1 + name.length() > MAX_LENGTH || name.endsWith(".git")) {
            throw new IllegalArgumentException("'" + org + "/" + name + "' is not a Hugging Face repo id (ORG/NAME: letters, "
                    + "digits, '-', '_', '.'; no '--' or '..'; at most " + MAX_LENGTH + " characters)");
        }
    }

    /** {@code ORG/NAME}, or empty when {@code text} is not a repo id. */
    public static Optional<RepoId> parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0 || text.indexOf('/', slash + 1) >= 0) return Optional.empty();
        String org = text.substring(0, slash), name = text.substring(slash + 1);
        return validPart(org) && validPart(name) && text.length() <= MAX_LENGTH && !name.endsWith(".git")
                ? Optional.of(new RepoId(org, name))
                : Optional.empty();
    }

    /** The cache folder huggingface_hub names for it: {@code models--ORG--NAME}. */
    public String cacheFolderName() {
        return HubCache.REPO_PREFIX + org + "--" + name;
    }

    private static boolean validPart(String part) {
        return part != null && PART.matcher(part).matches() && !part.contains("--") && !part.contains("..")
                && !part.startsWith("-") && !part.startsWith(".") && !part.endsWith("-") && !part.endsWith(".");
    }

    @Override
    public String toString() {
        return org + "/" + name;
    }
}
