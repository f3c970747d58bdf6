package dev.pagoda.engine.request;

/**
 * Read-only view of a sequence's tokens (prompt, then output) for the sampler's penalties. Valid
 * only during the step that handed it out: the engine thread appends to it in the next update.
 */
public interface TokenHistory {
    int numPromptTokens();

    /** Prompt plus output tokens so far. */
    int numTokens();

    int tokenAt(int position);
}
