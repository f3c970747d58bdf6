package dev.pagoda.engine.cuda.kernels;

/** Argument checks shared by the kernel launchers: one clear message naming the parameter. */
final class Checks {

    private Checks() {}

    static void positive(int value, String name) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }

    static void nonNegative(int value, String name) {
        if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }

    static void pointer(long address, String name) {
        if (address == 0) throw new IllegalArgumentException(name + " is a null device pointer");
    }

    /** Vectorised kernels move 16 bytes at a time. */
    static void aligned16(long address, String name) {
        pointer(address, name);
        if ((address & 15) != 0) {
            throw new IllegalArgumentException(name + " must be 16-byte aligned for 128-bit loads, got 0x"
                    + Long.toHexString(address));
        }
    }

    /** Optional pointer: 0 means absent; present ones must be aligned. */
    static void optionalAligned16(long address, String name) {
        if (address != 0) aligned16(address, name);
    }
}
