package dev.pagoda.engine.structured.automaton;

import java.util.List;

/**
 * A partition of the 256 byte values into intervals that no edge of a grammar tells apart: the
 * DFA alphabet (a JSON-schema grammar needs some tens of classes, not 256), so transition tables
 * are {@code states × classes}. An edge over bytes {@code lo..hi} covers exactly the classes
 * {@code classOf[lo] .. classOf[hi]}.
 */
final class ByteClasses {

    final int[] classOf = new int[256];
    final int count;

    private ByteClasses(boolean[] boundary) {
        int c = -1;
        for (int b = 0; b < 256; b++) {
            if (b == 0 || boundary[b]) c++;
            classOf[b] = c;
        }
        count = c + 1;
    }

    static ByteClasses of(List<Nfa> nfas) {
        boolean[] boundary = new boolean[257];
        for (Nfa nfa : nfas) {
            for (int e = 0; e < nfa.edgeCount(); e++) {
                int lo = nfa.edgeLo(e);
                if (lo < 0) continue;
                boundary[lo] = true;
                boundary[nfa.edgeHi(e) + 1] = true;
            }
        }
        return new ByteClasses(boundary);
    }
}
