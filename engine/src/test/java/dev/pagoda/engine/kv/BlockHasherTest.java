package dev.pagoda.engine.kv;

import dev.pagoda.engine.request.Request;
import dev.pagoda.engine.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class BlockHasherTest {

    private static Request request(int... tokens) {
        return new Request("r", tokens, SamplingParams.greedy(1), new int[0], 0, 0);
    }

    @Test
    void hashIsSha256OfParentAndTokensTruncatedTo128Bits() throws Exception {
        BlockHasher hasher = new BlockHasher(2);
        List<BlockHash> hashes = new ArrayList<>();
        hasher.extend(hashes, request(5, 6, 7, 8, 9), 5);
        assertEquals(2, hashes.size(), "only full blocks are hashed");
        // independent computation with a fresh digest
        ByteBuffer in = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        in.putLong(hashes.get(0).high()).putLong(hashes.get(0).low()).putInt(7).putInt(8);
        ByteBuffer out = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(in.array())).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(new BlockHash(out.getLong(0), out.getLong(8)), hashes.get(1));
    }

    @Test
    void equalBlocksAfterDifferentPrefixesHashDifferently() {
        BlockHasher hasher = new BlockHasher(2);
        List<BlockHash> a = new ArrayList<>(), b = new ArrayList<>();
        hasher.extend(a, request(1, 2, 7, 8), 4);
        hasher.extend(b, request(1, 3, 7, 8), 4);
        assertNotEquals(a.get(1), b.get(1));
        List<BlockHash> c = new ArrayList<>();
        hasher.extend(c, request(1, 2, 7, 8, 9), 5);
        assertEquals(a, c);
    }
}
