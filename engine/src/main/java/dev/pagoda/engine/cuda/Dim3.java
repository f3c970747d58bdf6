package dev.pagoda.engine.cuda;

/** A launch's grid or block extent. */
public record Dim3(int x, int y, int z) {

    public Dim3 {
        if (x < 1 || y < 1 || z < 1) throw new IllegalArgumentException("launch extent must be >= 1 in each dimension, got " + x + "x" + y + "x" + z);
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public static Dim3 of(int x, int y) {
        return new Dim3(x, y, 1);
    }

    public static Dim3 of(int x, int y, int z) {
        return new Dim3(x, y, z);
    }
}
