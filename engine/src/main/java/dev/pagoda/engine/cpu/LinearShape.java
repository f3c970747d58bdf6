package dev.pagoda.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A validated weight ready for a kernel.
 *
 * @param weight      (outFeatures, rowBytes) the stored rows, as a plain native segment (see {@link LinearKernels})
 * @param stored      the segment the weight came in (a file mapping, an arena's memory): its scope says
 *                    whether {@code weight}'s memory is still there
 * @param name        the tensor's name, for errors
 * @param inFeatures  elements per row
 * @param outFeatures rows
 * @param rowBytes    bytes per stored row
 * @param maxTokens   most tokens one forward call may pass
 */
record LinearShape(MemorySegment weight, MemorySegment stored, String name, int inFeatures, int outFeatures, long rowBytes, int maxTokens) {}
