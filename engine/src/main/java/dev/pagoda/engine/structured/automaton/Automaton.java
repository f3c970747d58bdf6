package dev.pagoda.engine.structured.automaton;

/**
 * A grammar as a pushdown automaton over bytes: every kept rule is a minimal DFA, and all of
 * their states are numbered in one space. A state may read bytes (a transition table over byte
 * classes), call rules (push the state to return to, go to the callee's start) and accept (the
 * rule may end here: pop). Rule 0 is the root; the output is complete when the root accepts
 * with nothing left on the stack. Immutable; shared by every request using the grammar.
 *
 * <pre>
 *   state s:  next[s × classes + classOf[b]]   byte b -> state, or -1
 *             calls[callOffset[s] .. callOffset[s+1])  (callee start state, return state)
 *             flags: READS | CALLS | ACCEPTS
 * </pre>
 */
public final class Automaton {

    public static final int READS = 1;
    public static final int CALLS = 2;
    public static final int ACCEPTS = 4;

    private final int states;
    private final int classes;
    private final int[] classOf;     // (256) byte -> class
    private final int[] next;        // (states, classes) target or -1
    private final byte[] flags;      // (states) READS | CALLS | ACCEPTS
    private final int[] ruleOf;      // (states)
    private final int[] callOffset;  // (states + 1)
    private final int[] callee;      // (calls) the callee's start state
    private final int[] callReturn;  // (calls) the state the call returns to
    private final long[] follow;     // (rules, 4) bytes that can come right after each rule ends, in any context
    private final String[] ruleNames;

    Automaton(int states, int classes, int[] classOf, int[] next, byte[] flags, int[] ruleOf, int[] callOffset, int[] callee,
              int[] callReturn, long[] follow, String[] ruleNames) {
        this.states = states;
        this.classes = classes;
        this.classOf = classOf;
        this.next = next;
        this.flags = flags;
        this.ruleOf = ruleOf;
        this.callOffset = callOffset;
        this.callee = callee;
        this.callReturn = callReturn;
        this.follow = follow;
        this.ruleNames = ruleNames;
    }

    public int states() {
        return states;
    }

    /** The root rule's start state. */
    public int start() {
        return 0;
    }

    /** The state after reading byte {@code b} in state {@code s}, or -1. */
    public int next(int s, int b) {
        return next[s * classes + classOf[b & 0xFF]];
    }

    public int flags(int s) {
        return flags[s];
    }

    public boolean accepts(int s) {
        return (flags[s] & ACCEPTS) != 0;
    }

    public int callsFrom(int s) {
        return callOffset[s];
    }

    public int callsEnd(int s) {
        return callOffset[s + 1];
    }

    public int callee(int call) {
        return callee[call];
    }

    public int callReturn(int call) {
        return callReturn[call];
    }

    public int ruleOf(int s) {
        return ruleOf[s];
    }

    public int rules() {
        return ruleNames.length;
    }

    public String ruleName(int rule) {
        return ruleNames[rule];
    }

    /** Whether byte {@code b} can come right after rule {@code rule} ends, in some context (never after the root). */
    public boolean canFollow(int rule, int b) {
        return (follow[4 * rule + ((b & 0xFF) >> 6)] & (1L << b)) != 0;
    }

    /**
     * The transition table, {@code (states, classes)} of target states or -1, indexed by
     * {@code s * classes() + byteClasses()[b]}: for the inner loops of the token-table walks.
     * Do not modify.
     */
    public int[] transitions() {
        return next;
    }

    /** The byte class of each byte value (256); do not modify. */
    public int[] byteClasses() {
        return classOf;
    }

    public int classes() {
        return classes;
    }

    /** Transition table entries (states × byte classes), for size reports. */
    public long tableEntries() {
        return (long) states * classes;
    }
}
