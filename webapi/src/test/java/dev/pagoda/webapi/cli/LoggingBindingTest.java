package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.catalog.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The command line's class path binds SLF4J (DJL logs through it) to java.util.logging, where
 * Pagoda's System.Logger output goes: SLF4J has a provider, so it prints no "No SLF4J providers"
 * warning at start, and DJL's start-up chatter about CUDA is kept below SEVERE out.
 */
class LoggingBindingTest {

    @TempDir
    Path dir;

    /** Collects what reaches a java.util.logging logger. */
    private static final class Recorder extends Handler {
        final List<LogRecord> records = new ArrayList<>();

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void slf4jWritesToJavaUtilLogging() {
        assertEquals("org.slf4j.jul.JDK14LoggerFactory", LoggerFactory.getILoggerFactory().getClass().getName(),
                "a provider is bound (without one SLF4J warns at start and drops every message)");
        Logger jul = Logger.getLogger("dev.pagoda.test.slf4j");
        Recorder recorder = new Recorder();
        jul.addHandler(recorder);
        jul.setUseParentHandlers(false);
        try {
            LoggerFactory.getLogger("dev.pagoda.test.slf4j").warn("through slf4j {}", 42);
            assertEquals(1, recorder.records.size());
            assertEquals("through slf4j 42", recorder.records.getFirst().getMessage());
        } finally {
            jul.removeHandler(recorder);
        }
    }

    @Test
    void djlsCudaProbeWarningsAreKeptOutOnceATokenizerLoads() {
        Tokenizers.load(TestModels.write(TestModels.llama(), dir.resolve("m")));
        Logger jul = Logger.getLogger("ai.djl.util.cuda.CudaUtils");
        Recorder recorder = new Recorder();
        jul.addHandler(recorder);
        jul.setUseParentHandlers(false); // the test's own failure line stays out of the build log
        try {
            LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").warn("Failed to detect GPU count: no CUDA here");
            LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").error("a real failure");
            assertEquals(List.of("a real failure"), recorder.records.stream().map(LogRecord::getMessage).toList());
        } finally {
            jul.removeHandler(recorder);
            jul.setUseParentHandlers(true);
        }
    }
}
