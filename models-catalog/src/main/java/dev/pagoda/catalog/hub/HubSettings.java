package dev.pagoda.catalog.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How {@code pagoda pull} reaches the hub, read from the environment as huggingface_hub reads it.
 *
 * @param endpoint {@code $HF_ENDPOINT}, else {@code https://huggingface.co}
 * @param token    {@code $HF_TOKEN}, else the file {@code huggingface-cli login} wrote ({@code $HF_TOKEN_PATH},
 *                 else {@code $HF_HOME/token}, else {@code ~/.cache/huggingface/token}); empty for none
 * @param offline  {@code $HF_HUB_OFFLINE} is set to a true value: no request leaves the machine
 */
public record HubSettings(URI endpoint, Optional<String> token, boolean offline) {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    /** huggingface_hub's {@code _is_true}: these values (any case) turn a flag on. */
    private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

    public HubSettings {
        String text = endpoint.toString();
        if (text.endsWith("/")) endpoint = URI.create(text.substring(0, text.length() - 1));
        if (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))) {
            throw new IllegalArgumentException("HF_ENDPOINT must be an http(s) URL such as https://huggingface.co, got '" + text + "'");
        }
        token = token.map(String::strip).filter(t -> !t.isEmpty());
    }

    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        String endpoint = env.get("HF_ENDPOINT");
        URI uri = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : URI.create(endpoint.strip());
        String offline = env.getOrDefault("HF_HUB_OFFLINE", "");
        return new HubSettings(uri, token(env, home), TRUE.contains(offline.strip().toLowerCase(Locale.ROOT)));
    }

    private static Optional<String> token(Map<String, String> env, Path home) {
        String token = env.get("HF_TOKEN");
        if (token != null && !token.isBlank()) return Optional.of(token);
        String tokenPath = env.get("HF_TOKEN_PATH");
        String hfHome = env.get("HF_HOME");
        Path file = tokenPath != null && !tokenPath.isBlank() ? Path.of(tokenPath)
                : hfHome != null && !hfHome.isBlank() ? Path.of(hfHome, "token")
                : home.resolve(".cache").resolve("huggingface").resolve("token");
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Hugging Face token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The page of {@code repo} on the hub, for messages ("accept its terms at …"). */
    public URI repoPage(RepoId repo) {
        return URI.create(endpoint + "/" + repo);
    }
}
