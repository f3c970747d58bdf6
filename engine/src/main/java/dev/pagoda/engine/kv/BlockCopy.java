package dev.pagoda.engine.kv;

/**
 * Copy-on-write instruction: the runner copies every layer's K and V of block {@code src} into block
 * {@code dst} before this step writes anything, because the sequence now owns {@code dst} in place
 * of the shared {@code src}.
 */
public record BlockCopy(int src, int dst) {}
