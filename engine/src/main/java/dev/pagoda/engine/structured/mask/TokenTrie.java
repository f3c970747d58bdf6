package dev.pagoda.engine.structured.mask;

import java.util.Arrays;

/**
 * The vocabulary's byte strings as a trie in preorder: node 0 is the empty prefix; a node's
 * subtree is the index range {@code [i, end(i))}, its first child is {@code i + 1} and each
 * next child starts at the previous child's end. Walking it once per mask shares every common
 * prefix: a byte that kills the match skips all tokens under it at once. Built by sorting the
 * tokens bytewise, so tokens under a node are also contiguous in that order.
 *
 * <pre>
 *   tokens "a" "ab" "b"     node: 0 (root)  1 'a'  2 'b'   3 'b'
 *                           depth   0       1      2       1
 *                           end     4       3      3       4
 *                           tokens  -       "a"    "ab"    "b"
 * </pre>
 */
public final class TokenTrie {

    final byte[] label;     // (nodes) the byte leading to the node
    final int[] depth;      // (nodes)
    final int[] end;        // (nodes) end of the subtree, exclusive
    final int[] tokenStart; // (nodes + 1) tokens ending at node i: tokenIds[tokenStart[i] .. tokenStart[i+1])
    final int[] tokenIds;
    private final int maxDepth;

    private TokenTrie(byte[] label, int[] depth, int[] end, int[] tokenStart, int[] tokenIds, int maxDepth) {
        this.label = label;
        this.depth = depth;
        this.end = end;
        this.tokenStart = tokenStart;
        this.tokenIds = tokenIds;
        this.maxDepth = maxDepth;
    }

    public static TokenTrie of(TokenVocabulary vocab) {
        Integer[] order = new Integer[vocab.size()];
        int n = 0;
        for (int id = 0; id < vocab.size(); id++) if (vocab.bytes(id) != null) order[n++] = id;
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (x, y) -> Arrays.compareUnsigned(vocab.bytes(x), vocab.bytes(y)));
        int capacity = 1;
        for (Integer id : ids) capacity += vocab.bytes(id).length;
        byte[] label = new byte[capacity];
        int[] depth = new int[capacity];
        int[] end = new int[capacity];
        int[] tokenCount = new int[capacity];
        int[] path = new int[1];    // node at each depth of the current path
        int nodes = 1;
        int maxDepth = 0;
        byte[] previous = new byte[0];
        int[] tokenIds = new int[n];
        int[] tokenNode = new int[n];
        for (int t = 0; t < n; t++) {
            byte[] b = vocab.bytes(ids[t]);
            int common = Arrays.mismatch(previous, b);
            if (common < 0) common = b.length; // equal to the previous token
            int pathDepth = Math.min(common, previous.length);
            for (int d = previous.length; d > pathDepth; d--) end[path[d]] = nodes; // close the nodes we leave
            if (path.length < b.length + 1) path = Arrays.copyOf(path, Math.max(b.length + 1, path.length * 2));
            for (int d = pathDepth + 1; d <= b.length; d++) {
                label[nodes] = b[d - 1];
                depth[nodes] = d;
                path[d] = nodes++;
            }
            maxDepth = Math.max(maxDepth, b.length);
            tokenIds[t] = ids[t];
            tokenNode[t] = path[b.length];
            tokenCount[path[b.length]]++;
            previous = b;
        }
        for (int d = previous.length; d > 0; d--) end[path[d]] = nodes;
        end[0] = nodes;
        int[] tokenStart = new int[nodes + 1];
        for (int i = 0; i < nodes; i++) tokenStart[i + 1] = tokenStart[i] + tokenCount[i];
        int[] fill = Arrays.copyOf(tokenStart, nodes);
        int[] byNode = new int[n];
        for (int t = 0; t < n; t++) byNode[fill[tokenNode[t]]++] = tokenIds[t];
        return new TokenTrie(Arrays.copyOf(label, nodes), Arrays.copyOf(depth, nodes), Arrays.copyOf(end, nodes), tokenStart,
                byNode, maxDepth);
    }

    public int nodes() {
        return label.length;
    }

    int label(int node) {
        return label[node] & 0xFF;
    }

    int depth(int node) {
        return depth[node];
    }

    int end(int node) {
        return end[node];
    }

    int tokensFrom(int node) {
        return tokenStart[node];
    }

    int tokensEnd(int node) {
        return tokenStart[node + 1];
    }

    int tokenId(int i) {
        return tokenIds[i];
    }

    public int maxDepth() {
        return maxDepth;
    }
}
