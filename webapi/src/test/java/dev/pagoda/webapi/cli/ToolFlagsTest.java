package dev.pagoda.webapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.webapi.openai.tools.ToolParsing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve}'s tool-calling flags, vLLM's names and rules: parsed into the server options, bad ones one line each. */
class ToolFlagsTest {

    private static ServeCommand parsed(String... args) {
        ServeCommand cmd = new ServeCommand(flags -> {
            throw new AssertionError("the engine must not start");
        });
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void flagsReachTheServer() {
        ToolParsing parsing = parsed("--enable-auto-tool-choice", "--tool-call-parser", "hermes", "--reasoning-parser", "qwen3")
                .serverOptions().toolParsing();
        assertEquals(new ToolParsing(true, Optional.of("hermes"), Optional.of("qwen3")), parsing);
        assertEquals(ToolParsing.NONE, parsed().serverOptions().toolParsing(), "off unless asked for, as in vLLM");
        assertEquals(new ToolParsing(false, Optional.of("mistral"), Optional.empty()),
                parsed("--tool-call-parser", "mistral").serverOptions().toolParsing());
    }

    @Test
    void badFlagsFailInOneLineBeforeTheEngineStarts() {
        assertOneLineError("--enable-auto-tool-choice requires --tool-call-parser", "--enable-auto-tool-choice");
        assertOneLineError("--tool-call-parser 'pythonic' is not one of: hermes, llama3_json, mistral",
                "--enable-auto-tool-choice", "--tool-call-parser", "pythonic");
        assertOneLineError("--reasoning-parser 'r2' is not one of: deepseek_r1, qwen3", "--reasoning-parser", "r2");
    }

    private static void assertOneLineError(String expected, String... args) {
        CommandLine cli = new CommandLine(new ServeCommand(flags -> {
            throw new AssertionError("the engine must not start");
        }));
        cli.setExecutionExceptionHandler(PagodaCli.commandLine().getExecutionExceptionHandler());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute(args));
        String message = err.toString().strip();
        assertTrue(message.startsWith("pagoda: " + expected), message);
        assertFalse(message.contains("\n"), "one line: " + message);
    }
}
