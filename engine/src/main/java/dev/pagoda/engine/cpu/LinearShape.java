package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A validated weight ready for a kernel.
 *
 * @param weight      (outFeatures, rowBytes) the stored rows
 * @param inFeatures  elements per row
 * @param outFeatures rows
 * @param rowBytes    bytes per stored row
 * @param maxTokens   most tokens one forward call may pass
 */
record LinearShape(MemorySegment weight, int inFeatures, int outFeatures, long rowBytes, int maxTokens) {}
