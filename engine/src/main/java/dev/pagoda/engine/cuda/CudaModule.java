package dev.pagoda.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * CUDA C from a class-path resource, compiled at run time by NVRTC for the GPU present
 * ({@code sm_90a} on Hopper, so its wgmma/TMA instructions are allowed; {@code sm_XY} elsewhere)
 * and loaded with {@code cuModuleLoadData}. {@code #include "name.cuh"} is served from the
 * resource's own folder.
 *
 * <p>Compiling takes a second or more per module, so the cubin is cached on disk under
 * {@code ~/.cache/pagoda/cuda} (or {@code $PAGODA_CACHE_DIR/cuda}), keyed by the SHA-256 of the
 * sources, the architecture, the options and the NVRTC version: any change recompiles, nothing
 * stale is ever loaded. The cache file is written atomically.
 */
public final class CudaModule implements AutoCloseable {

    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([^\"]+)\"", Pattern.MULTILINE);

    private final CUmod_st handle;
    private final String resource;
    private final Map<String, CudaFunction> functions = new LinkedHashMap<>();
    private boolean closed;

    private CudaModule(CUmod_st handle, String resource) {
        this.handle = handle;
        this.resource = resource;
    }

    /** @param resourcePath absolute class-path resource, e.g. {@code /dev/pagoda/engine/cuda/kernels/rms_norm.cu} */
    public static CudaModule load(CudaDevice device, String resourcePath) {
        device.makeCurrent();
        String source = readResource(resourcePath);
        Map<String, String> headers = headersOf(resourcePath, source);
        String arch = architecture(device.computeCapability());
        List<String> options = List.of("--gpu-architecture=" + arch, "-std=c++17", "--include-path=" + cudaInclude());
        byte[] cubin = cachedOrCompiled(resourcePath, source, headers, options);
        BytePointer image = new BytePointer(cubin.length);
        image.put(cubin);
        CUmod_st module = new CUmod_st();
        try {
            CudaCalls.checkDriver(cudart.cuModuleLoadData(module, image), "cuModuleLoadData(" + resourcePath + ")");
        } finally {
            image.close();
        }
        return new CudaModule(module, resourcePath);
    }

    public CudaFunction function(String name) {
        if (closed) throw new IllegalStateException("module " + resource + " is unloaded");
        return functions.computeIfAbsent(name, n -> {
            CUfunc_st f = new CUfunc_st();
            CudaCalls.checkDriver(cudart.cuModuleGetFunction(f, handle, n), "cuModuleGetFunction(" + n + " in " + resource + ")");
            return new CudaFunction(f, n);
        });
    }

    static String architecture(int computeCapability) {
        return computeCapability == 90 ? "sm_90a" : "sm_" + computeCapability;
    }

    private static String cudaInclude() {
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = System.getenv(env);
            if (home != null && Files.isDirectory(Path.of(home, "include"))) return Path.of(home, "include").toString();
        }
        return "/usr/local/cuda/include";
    }

    private static byte[] cachedOrCompiled(String name, String source, Map<String, String> headers, List<String> options) {
        int[] major = new int[1];
        int[] minor = new int[1];
        CudaCalls.checkNvrtc(nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
        String key = sha256(source, headers, options, major[0] + "." + minor[0]);
        Path file = cacheDir().resolve(key + ".cubin");
        try {
            if (Files.isRegularFile(file)) return Files.readAllBytes(file);
        } catch (IOException e) {
            // an unreadable cache entry is rebuilt below
        }
        byte[] cubin = compile(name, source, headers, options);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), key, ".tmp");
            Files.write(tmp, cubin);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.getLogger(CudaModule.class.getName()).log(System.Logger.Level.WARNING,
                    "could not cache compiled kernels in " + file.getParent() + ": " + e.getMessage());
        }
        return cubin;
    }

    private static byte[] compile(String name, String source, Map<String, String> headers, List<String> options) {
        _nvrtcProgram program = new _nvrtcProgram();
        PointerPointer<?> headerSources = headers.isEmpty() ? null : new PointerPointer<>(headers.values().toArray(String[]::new));
        PointerPointer<?> headerNames = headers.isEmpty() ? null : new PointerPointer<>(headers.keySet().toArray(String[]::new));
        try (BytePointer src = new BytePointer(source, StandardCharsets.UTF_8); BytePointer n = new BytePointer(name)) {
            CudaCalls.checkNvrtc(nvrtc.nvrtcCreateProgram(program, src, n, headers.size(), headerSources, headerNames),
                    "nvrtcCreateProgram(" + name + ")");
        }
        try {
            PointerPointer<?> opts = new PointerPointer<>(options.toArray(String[]::new));
            int status = nvrtc.nvrtcCompileProgram(program, options.size(), opts);
            if (status != nvrtc.NVRTC_SUCCESS) {
                throw new CudaException("NVRTC could not compile " + name + " with " + options + ":\n" + log(program));
            }
            SizeTPointer size = new SizeTPointer(1);
            CudaCalls.checkNvrtc(nvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            byte[] cubin = new byte[(int) size.get()];
            CudaCalls.checkNvrtc(nvrtc.nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            return cubin;
        } finally {
            nvrtc.nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        SizeTPointer size = new SizeTPointer(1);
        if (nvrtc.nvrtcGetProgramLogSize(program, size) != nvrtc.NVRTC_SUCCESS) return "(no log)";
        byte[] text = new byte[(int) size.get()];
        nvrtc.nvrtcGetProgramLog(program, text);
        return new String(text, StandardCharsets.UTF_8).trim();
    }

    /** The quoted includes of {@code source}, transitively, read from the resource's folder. */
    static Map<String, String> headersOf(String resourcePath, String source) {
        String folder = resourcePath.substring(0, resourcePath.lastIndexOf('/') + 1);
        Map<String, String> headers = new LinkedHashMap<>();
        collectHeaders(folder, source, headers);
        return headers;
    }

    private static void collectHeaders(String folder, String source, Map<String, String> into) {
        Matcher m = INCLUDE.matcher(source);
        while (m.find()) {
            String header = m.group(1);
            if (into.containsKey(header)) continue;
            String text = readResource(folder + header);
            into.put(header, text);
            collectHeaders(folder, text, into);
        }
    }

    static String readResource(String path) {
        try (InputStream in = CudaModule.class.getResourceAsStream(path)) {
            if (in == null) throw new CudaException("kernel source " + path + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + path, e);
        }
    }

    private static Path cacheDir() {
        String base = System.getenv("PAGODA_CACHE_DIR");
        Path root = base != null ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "pagoda");
        return root.resolve("cuda");
    }

    private static String sha256(String source, Map<String, String> headers, List<String> options, String nvrtcVersion) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(source.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> h : headers.entrySet()) {
                d.update(("\0" + h.getKey() + "\0" + h.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            d.update(("\0" + String.join(" ", options) + "\0nvrtc " + nvrtcVersion).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cudart.cuModuleUnload(handle);
    }
}
