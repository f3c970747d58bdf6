package dev.pagoda.gui.kv;

/** How the block map draws one block; the legend lists these. */
public enum CellKind {
    /** Free and holding nothing reusable: grey. */
    FREE,
    /** Free but still holding a full prefix block a later request can hit (evicted oldest first). */
    CACHED_FREE,
    /** Held by exactly one request: that request's colour. */
    HELD,
    /** Held by more than one request (ref count > 1: a prefix hit or copy-on-write fork): owner colour, marked. */
    SHARED
}
