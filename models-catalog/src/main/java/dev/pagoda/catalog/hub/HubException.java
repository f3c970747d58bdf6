package dev.pagoda.catalog.hub;

/**
 * A pull that cannot go on, with a one-line message that says why and what to do (set HF_TOKEN,
 * accept a gated repo's terms, run the pull again to resume …).
 */
public final class HubException extends RuntimeException {

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
