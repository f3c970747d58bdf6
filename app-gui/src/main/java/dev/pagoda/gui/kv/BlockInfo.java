package dev.pagoda.gui.kv;

import dev.pagoda.engine.telemetry.KvSnapshot.BlockState;
import java.util.List;

/**
 * What hovering a block shows.
 *
 * @param id         physical block id
 * @param state      the engine's state of the block
 * @param refCount   requests referencing it
 * @param owners     their request ids
 * @param tokenCount tokens whose K/V it holds, 0..blockSize
 */
public record BlockInfo(int id, BlockState state, int refCount, List<String> owners, int tokenCount) {
    public BlockInfo {
        owners = List.copyOf(owners);
    }

    /** One line for the hover label. */
    public String describe() {
        return "block " + id + " · " + state + " · ref " + refCount + " · " + tokenCount + " tokens"
                + (owners.isEmpty() ? "" : " · " + String.join(", ", owners));
    }
}
