package dev.pagoda.catalog.hub;

import java.net.HttpURLConnection;

/**
 * The hub's error answers as one line each, read as huggingface_hub's {@code hf_raise_for_status}
 * reads them: the {@code X-Error-Code} header first (RepoNotFound, GatedRepo, RevisionNotFound,
 * EntryNotFound), then the status. The hub answers 401 for a repo that does not exist as well as
 * for a private one, so as not to tell them apart; the message says both.
 */
final class HubErrors {

    private HubErrors() {}

    /**
     * @param revision the revision or commit asked for, null when unknown here
     * @param file     the file asked for, null for the listing
     */
    static HubException of(HttpURLConnection c, int status, HubSettings settings, RepoId repo, String revision, String file) {
        String code = c.getHeaderField("X-Error-Code");
        boolean token = settings.token().isPresent();
        String page = settings.repoPage(repo).toString();
        String at = revision == null ? "" : "@" + revision;
        String message = switch (code == null ? "" : code) {
            case "GatedRepo" -> repo + " is gated: accept its terms at " + page + " and set HF_TOKEN to a token of that account"
                    + (token ? " (the token given has no access yet)" : "");
            case "RepoNotFound" -> status + ": " + repo + " was not found on " + settings.endpoint()
                    + (token ? " (or the token in HF_TOKEN cannot see it)" : " (if it is private or gated, set HF_TOKEN)");
            case "RevisionNotFound" -> "revision " + revision + " was not found in " + repo;
            case "EntryNotFound" -> (file == null ? "a file" : file) + " was not found in " + repo + at;
            default -> byStatus(status, settings, repo, at, file, token, page);
        };
        String detail = c.getHeaderField("X-Error-Message");
        return new HubException(code == null && detail != null && status >= 500 ? message + " (" + detail + ")" : message);
    }

    private static String byStatus(int status, HubSettings settings, RepoId repo, String at, String file, boolean token,
                                   String page) {
        String what = file == null ? repo + at : file + " of " + repo + at;
        return switch (status) {
            case 401 -> "401 Unauthorized for " + what + ": " + (token
                    ? "the token in HF_TOKEN was refused (expired or mistyped?)"
                    : "it needs a token; set HF_TOKEN to a read token from " + settings.endpoint() + "/settings/tokens");
            case 403 -> "403 Forbidden for " + what + ": " + (token
                    ? "the token in HF_TOKEN has no access (a gated repo? accept its terms at " + page + ")"
                    : "set HF_TOKEN to a token with access");
            case 404 -> "404: " + what + " was not found on " + settings.endpoint();
            default -> "the hub answered " + status + " for " + what + " (" + settings.endpoint() + ")";
        };
    }
}
