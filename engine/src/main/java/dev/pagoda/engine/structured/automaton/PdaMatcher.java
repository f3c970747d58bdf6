package dev.pagoda.engine.structured.automaton;

/**
 * One output's progress through an {@link Automaton}: the configuration set after the input so
 * far, advanced a chunk of bytes at a time (one token), with every chunk's set kept so that
 * {@link #rollback} is a copy back and a release of the stack nodes made since (speculative
 * decoding takes back rejected draft tokens). Not thread-safe.
 */
public final class PdaMatcher {

    private final Automaton a;
    private final StackPool pool = new StackPool();
    private final Stepper stepper;
    private ConfigSet current = new ConfigSet();
    private ConfigSet spare = new ConfigSet();
    // history: entry i = the set after chunk i (entry 0: before any input)
    private final IntBuffer historyStates = new IntBuffer();
    private final IntBuffer historyNodes = new IntBuffer();
    private final IntBuffer historyOffset = new IntBuffer();
    private final IntBuffer historyPoolMark = new IntBuffer();
    private final IntBuffer historyBottom = new IntBuffer();

    public PdaMatcher(Automaton a) {
        this.a = a;
        this.stepper = new Stepper(a, pool);
        stepper.expand(a.start(), StackPool.EMPTY, current);
        record();
    }

    public Automaton automaton() {
        return a;
    }

    public Stepper stepper() {
        return stepper;
    }

    public StackPool pool() {
        return pool;
    }

    /** The configurations now; read only. */
    public ConfigSet current() {
        return current;
    }

    /** Whether the whole output may end here. */
    public boolean canEnd() {
        return current.atBottom;
    }

    /** Whether any byte can still be read. */
    public boolean canContinue() {
        return current.size > 0;
    }

    /** Chunks accepted so far (each {@link #advance} that returned true). */
    public int chunks() {
        return historyOffset.size() - 1;
    }

    /**
     * Reads {@code bytes[from, to)}; if the input cannot continue somewhere in them the matcher is
     * left as it was and false is returned.
     */
    public boolean advance(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            stepper.step(current, bytes[i] & 0xFF, spare);
            ConfigSet t = current;
            current = spare;
            spare = t;
            if (current.isDead() || (current.size == 0 && i + 1 < to)) {
                restore(chunks());
                return false;
            }
        }
        record();
        return true;
    }

    public boolean advance(byte[] bytes) {
        return advance(bytes, 0, bytes.length);
    }

    /** Takes back the last {@code n} chunks. */
    public void rollback(int n) {
        if (n < 0 || n > chunks()) throw new IllegalArgumentException("cannot roll back " + n + " of " + chunks() + " chunks");
        int entry = chunks() - n;
        restore(entry);
        historyStates.truncate(historyOffset.get(entry) + current.size);
        historyNodes.truncate(historyOffset.get(entry) + current.size);
        historyOffset.truncate(entry + 1);
        historyPoolMark.truncate(entry + 1);
        historyBottom.truncate(entry + 1);
    }

    private void record() {
        historyOffset.add(historyStates.size());
        for (int i = 0; i < current.size; i++) {
            historyStates.add(current.states[i]);
            historyNodes.add(current.nodes[i]);
        }
        historyPoolMark.add(pool.mark());
        historyBottom.add(current.atBottom ? 1 : 0);
    }

    private void restore(int entry) {
        pool.release(historyPoolMark.get(entry));
        current.clear();
        int end = entry + 1 < historyOffset.size() ? historyOffset.get(entry + 1) : historyStates.size();
        for (int i = historyOffset.get(entry); i < end; i++) current.add(historyStates.get(i), historyNodes.get(i));
        current.atBottom = historyBottom.get(entry) != 0;
    }
}
