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
 * @param tokens     which tokens those are, read through the first owner's block table; null for a
 *                   block no request holds (a cached-free prefix block keeps K/V but no owner)
 */
public record BlockInfo(int id, BlockState state, int refCount, List<String> owners, int tokenCount, Tokens tokens) {
    public BlockInfo {
        owners = List.copyOf(owners);
    }

    /**
     * The block's tokens: positions {@code [from, to)} of {@code requestId}'s prompt + output.
     *
     * @param logicalBlock the block's place in the request's table
     * @param ids          their token ids
     * @param text         their text as the model's tokenizer decodes them (special tokens kept); null without a tokenizer
     */
    public record Tokens(String requestId, int logicalBlock, int from, int to, int[] ids, String text) {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }

    /** One line for the hover label. */
    public String describe() {
        String line = "block " + id + " · " + state + " · ref " + refCount + " · " + tokenCount + " tokens"
                + (owners.isEmpty() ? "" : " · owners " + String.join(", ", owners));
        if (tokens == null) return line;
        return line + " · logical block " + tokens.logicalBlock() + " of " + tokens.requestId() + ", tokens "
                + tokens.from() + "–" + (tokens.to() - 1) + (tokens.text() == null ? " " + java.util.Arrays.toString(tokens.ids())
                : ": \"" + printable(tokens.text()) + "\"");
    }

    /** Line breaks and tabs shown as escapes: the hover is one line. */
    private static String printable(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
