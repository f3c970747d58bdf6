package dev.pagoda.engine.request;

import dev.pagoda.engine.api.FinishReason;

/** Where a request is in its life; the FINISHED_* states are final. Names follow vLLM V1. */
public enum RequestStatus {
    WAITING,
    RUNNING,
    /** Evicted to free KV blocks; waits again and recomputes its prompt and outputs from scratch. */
    PREEMPTED,
    FINISHED_STOPPED,
    FINISHED_LENGTH,
    FINISHED_ABORTED,
    FINISHED_ERROR;

    public boolean isFinished() {
        return ordinal() >= FINISHED_STOPPED.ordinal();
    }

    /** The OpenAI {@code finish_reason} of a final state; null while the request still runs. */
    public FinishReason finishReason() {
        return switch (this) {
            case FINISHED_STOPPED -> FinishReason.STOP;
            case FINISHED_LENGTH -> FinishReason.LENGTH;
            case FINISHED_ABORTED -> FinishReason.ABORT;
            case FINISHED_ERROR -> FinishReason.ERROR;
            default -> null;
        };
    }
}
