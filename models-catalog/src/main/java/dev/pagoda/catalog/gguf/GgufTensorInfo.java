package dev.pagoda.catalog.gguf;

/**
 * One entry of a GGUF file's tensor table.
 *
 * @param name       the GGUF name, e.g. {@code blk.0.attn_q.weight}
 * @param ne         dimensions as GGUF stores them: {@code ne[0]} is the innermost (row length)
 * @param type       element type
 * @param dataOffset offset from the start of the data section
 * @param byteSize   bytes the tensor occupies
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long dataOffset, long byteSize) {

    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Dimensions outermost first (HF/PyTorch order): {@code ne} reversed. */
    public long[] shape() {
        long[] shape = new long[ne.length];
        for (int i = 0; i < ne.length; i++) shape[i] = ne[ne.length - 1 - i];
        return shape;
    }

    /** Elements in one row (the innermost dimension). */
    public long rowLength() {
        return ne.length == 0 ? 1 : ne[0];
    }

    public long rowCount() {
        long rows = 1;
        for (int i = 1; i < ne.length; i++) rows *= ne[i];
        return rows;
    }

    public long rowBytes() {
        return rowLength() / type.blockElements() * type.blockBytes();
    }
}
