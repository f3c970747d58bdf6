package dev.pagoda.engine.kv;

import java.util.List;

/**
 * Blocks a request received for this step.
 *
 * @param newBlockIds freshly allocated blocks appended to its block table (cached hits and
 *                    copy-on-write replacements not included)
 * @param copies      copy-on-write instructions the runner executes before writing K/V
 */
public record SlotAllocation(int[] newBlockIds, List<BlockCopy> copies) {
    public SlotAllocation {
        newBlockIds = newBlockIds.clone();
        copies = List.copyOf(copies);
    }
}
