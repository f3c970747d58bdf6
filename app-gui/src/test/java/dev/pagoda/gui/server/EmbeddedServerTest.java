package dev.pagoda.gui.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.core.EngineConfig;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class EmbeddedServerTest {

    /** An engine that only records that it was closed. */
    private static InferenceEngine recordingEngine(List<String> calls) {
        return (InferenceEngine) Proxy.newProxyInstance(InferenceEngine.class.getClassLoader(),
                new Class<?>[] {InferenceEngine.class}, (proxy, method, args) -> {
                    calls.add(method.getName());
                    return null;
                });
    }

    @Test
    void aServerThatFailsToStartClosesTheEngineItLoaded() {
        List<String> calls = new ArrayList<>();
        List<EngineConfig> configs = new ArrayList<>();
        EmbeddedServer server = new EmbeddedServer(c -> {
            configs.add(c);
            return recordingEngine(calls);
        }, (engine, options) -> {
            throw new RuntimeException("wrapper", new java.net.BindException("Address already in use"));
        });
        ServerSettings settings = new ServerSettings(null, new ServerSettings.Listen("127.0.0.1", 0, ""), new ServerSettings.EngineLimits(256, 8, 4, false, 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> server.start(settings));
        assertEquals("cannot listen on 127.0.0.1:0: Address already in use", e.getMessage());
        assertEquals(List.of("close"), calls);
        assertTrue(server.running().isEmpty());
        EngineConfig c = configs.getFirst();
        assertNull(c.model(), "the embedded default model");
        assertEquals(256, c.maxModelLen());
        assertEquals(8, c.blockSize());
        assertEquals(4, c.maxNumSeqs());
        assertEquals(false, c.enablePrefixCaching());
        assertEquals(2L << 20, c.kvCacheMemoryBytes());
    }

    @Test
    void aTakenPortFailsBeforeTheModelLoads() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EmbeddedServer server = new EmbeddedServer(c -> {
                throw new AssertionError("the model must not load when the port is taken");
            }, (engine, options) -> {
                throw new AssertionError("unreachable");
            });
            ServerSettings settings = new ServerSettings(null, new ServerSettings.Listen("127.0.0.1", taken.getLocalPort(), ""), new ServerSettings.EngineLimits(null, 16, 4, true, 2));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> server.start(settings));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), e.getMessage());
        }
    }

    @Test
    void clientsGetAnAddressTheyCanConnectTo() {
        assertEquals("http://127.0.0.1:8000/v1", EmbeddedServer.url("0.0.0.0", 8000));
        assertEquals("http://192.168.1.5:80/v1", EmbeddedServer.url("192.168.1.5", 80));
        assertEquals("http://[::1]:9000/v1", EmbeddedServer.url("::1", 9000));
    }

    @Test
    void eachBadFieldIsNamed() {
        Executor never = task -> {
            throw new AssertionError("nothing may start");
        };
        List<String> errors = new ArrayList<>();
        ServerViewModel vm = new ServerViewModel(new EmbeddedServer(c -> null, (e, o) -> null), never, errors::add);
        vm.portProperty().set("80a");
        vm.start();
        vm.portProperty().set("8000");
        vm.maxNumSeqsProperty().set("");
        vm.start();
        vm.maxNumSeqsProperty().set("4");
        vm.hostProperty().set(" ");
        vm.start();
        vm.hostProperty().set("localhost");
        vm.portProperty().set("70000");
        vm.start();
        assertEquals(List.of("Port must be a whole number, got '80a'", "Max sequences must be a whole number, got ''",
                "Host must not be empty", "Port must be in 0..65535, got 70000"), errors);
        assertEquals(ServerViewModel.Phase.STOPPED, vm.phaseProperty().get());
        vm.maxModelLenProperty().set("  ");
        vm.portProperty().set("0");
        assertNull(vm.settings().engine().maxModelLen(), "blank max model length means the model's own");
        vm.modelProperty().set(" /models/x.gguf ");
        assertEquals("/models/x.gguf", vm.settings().model());
        assertEquals("/models/x.gguf", vm.settings().engineConfig().model());
        vm.modelProperty().set("");
        assertNull(vm.settings().engineConfig().model(), "empty means the embedded default model");
    }
}
