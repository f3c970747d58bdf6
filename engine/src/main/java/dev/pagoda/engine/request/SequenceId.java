package dev.pagoda.engine.request;

import java.util.Objects;

/**
 * One sequence of a submitted request: the id the client gave and which of its n samples.
 * {@link #toString()} is its display name in telemetry and logs: the request id for sample 0,
 * {@code "id#k"} for sample k (why the request validator keeps '#' out of client ids).
 *
 * @param requestId   the id the request was submitted with, shared by its samples
 * @param sampleIndex 0 for the submitted request, 1..n-1 for the samples forked from it
 */
public record SequenceId(String requestId, int sampleIndex) {

    public SequenceId {
        Objects.requireNonNull(requestId, "requestId");
        if (sampleIndex < 0) throw new IllegalArgumentException("sample index must be >= 0, got " + sampleIndex);
    }

    /** Sample 0 of {@code requestId}: the submitted request itself. */
    public static SequenceId of(String requestId) {
        return new SequenceId(requestId, 0);
    }

    /** The sequence a display name ({@link #toString()}) names: "id" or "id#k". */
    public static SequenceId parse(String name) {
        int hash = name.lastIndexOf('#');
        if (hash > 0) {
            String index = name.substring(hash + 1);
            if (!index.isEmpty() && index.chars().allMatch(Character::isDigit)) {
                return new SequenceId(name.substring(0, hash), Integer.parseInt(index));
            }
        }
        return of(name);
    }

    /** Sample {@code k} of the same request. */
    public SequenceId sample(int k) {
        return new SequenceId(requestId, k);
    }

    // Written out rather than generated: sequence ids key the scheduler's, KV manager's and runner's
    // maps, several lookups per sequence per step on the engine thread.
    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceId s && sampleIndex == s.sampleIndex && requestId.equals(s.requestId);
    }

    @Override
    public int hashCode() {
        return 31 * requestId.hashCode() + sampleIndex;
    }

    @Override
    public String toString() {
        return sampleIndex == 0 ? requestId : requestId + "#" + sampleIndex;
    }
}
