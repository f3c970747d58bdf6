package dev.pagoda.catalog.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.catalog.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading templates from tokenizer configs and files, choosing by name, and rendering concurrently. */
class ChatTemplatesTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static List<Map<String, Object>> user(String text) {
        return List.of(Map.of("role", "user", "content", text));
    }

    @Test
    void listFormChoosesToolUseWhenToolsAreGiven() throws IOException {
        Path config = write("tokenizer_config.json", """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "chat_template": [{"name": "default", "template": "D:{{ bos_token }}{{ messages | length }}"},
                                   {"name": "tool_use", "template": "T:{{ tools | length }}{{ eos_token }}"}]}""");
        ChatTemplates all = ChatTemplates.fromTokenizerConfig(config);
        assertEquals(List.of("default", "tool_use"), List.copyOf(all.names()));
        assertEquals("<s>", all.bosToken());
        assertEquals("</s>", all.eosToken());
        var ctx = ChatContext.of(user("hi"), false).withSpecialTokens(all.bosToken(), all.eosToken());
        assertEquals("D:<s>1", all.forRequest(false).render(ctx));
        assertEquals("T:2</s>", all.forRequest(true).render(ctx.withTools(List.of(Map.of(), Map.of()))));
        assertEquals("T:0</s>", ChatTemplates.fromTokenizerConfig(config, "tool_use").render(ctx.withTools(List.of())));
        var missing = assertThrows(ModelFormatException.class, () -> ChatTemplates.fromTokenizerConfig(config, "rag"));
        assertTrue(missing.getMessage().contains("tokenizer_config.json") && missing.getMessage().contains("'rag'"), missing.getMessage());
    }

    @Test
    void stringFormIsTheDefaultAndToolsFallBackToIt() throws IOException {
        Path config = write("tokenizer_config.json", "{\"chat_template\": \"{{ messages[0].content }}{% if tools %}+tools{% endif %}\"}");
        ChatTemplates all = ChatTemplates.fromTokenizerConfig(config);
        assertEquals("hi+tools", all.forRequest(true).render(ChatContext.of(user("hi"), false).withTools(List.of(Map.of()))));
        assertEquals("hi", ChatTemplates.fromTokenizerConfig(config, null).render(ChatContext.of(user("hi"), false)));
    }

    @Test
    void badConfigsNameTheFileAndTheProblem() throws IOException {
        Path none = write("a.json", "{\"eos_token\": \"x\"}");
        assertTrue(assertThrows(ModelFormatException.class, () -> ChatTemplates.fromTokenizerConfig(none)).getMessage().contains("has no chat_template"));
        Path broken = write("b.json", "{\"chat_template\": ");
        assertTrue(assertThrows(ModelFormatException.class, () -> ChatTemplates.fromTokenizerConfig(broken)).getMessage().contains("b.json"));
        Path badSyntax = write("c.json", "{\"chat_template\": \"ok\\n{% if %}\"}");
        var e = assertThrows(ModelFormatException.class, () -> ChatTemplates.fromTokenizerConfig(badSyntax));
        assertTrue(e.getMessage().contains("c.json") && e.getMessage().contains("line 2"), e.getMessage());
        var absent = assertThrows(ModelFormatException.class, () -> ChatTemplates.fromFile(dir.resolve("nope.jinja")));
        assertTrue(absent.getMessage().contains("nope.jinja"));
    }

    @Test
    void templateFileAndRaisedExceptions() throws IOException {
        Path file = write("t.jinja", "{% if messages | length > 1 %}{{ raise_exception('only one message, please') }}{% endif %}[{{ messages[0].content }}]\n");
        ChatTemplate t = ChatTemplates.fromFile(file);
        assertEquals("[x]", t.render(ChatContext.of(user("x"), false)));
        var two = List.<Map<String, Object>>of(Map.of("role", "user", "content", "a"), Map.of("role", "user", "content", "b"));
        var e = assertThrows(ChatTemplateException.class, () -> t.render(ChatContext.of(two, false)));
        assertEquals("only one message, please", e.getMessage());
        assertTrue(e.raisedByTemplate());
        var failure = assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{{ x | nosuch }}").render(ChatContext.of(user("x"), false)));
        assertFalse(failure.raisedByTemplate());
    }

    @Test
    void strftimeNowReadsTheGivenClock() {
        Clock clock = Clock.fixed(Instant.parse("2024-07-05T09:03:00Z"), ZoneOffset.UTC);
        ChatTemplate t = ChatTemplate.compile("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M %A %B %-d') }}");
        assertEquals("05 Jul 2024|2024-07-05 09:03 Friday July 5", t.render(ChatContext.of(user("x"), false), clock));
    }

    @Test
    void extraVariablesReachTheTemplate() {
        ChatTemplate t = ChatTemplate.compile("{% if enable_thinking is defined and enable_thinking is false %}no-think{% else %}think{% endif %}");
        assertEquals("think", t.render(ChatContext.of(user("x"), true)));
        assertEquals("no-think", t.render(ChatContext.of(user("x"), true).withExtraVariables(Map.of("enable_thinking", false))));
    }

    @Test
    void oneCompiledTemplateRendersConcurrently() throws Exception {
        ChatTemplate t = ChatTemplate.compile("""
                {%- set ns = namespace(n=0) %}
                {%- for m in messages %}{% set ns.n = ns.n + 1 %}<{{ m.role }}>{{ m.content | trim }}{% endfor %}
                {{- '#' ~ ns.n }}{% set xs = [] %}{% for m in messages %}{% set _ = xs.append(m.content) %}{% endfor %}{{ xs | length }}""");
        var contexts = new ArrayList<ChatContext>();
        for (int i = 0; i < 64; i++) {
            var msgs = new ArrayList<Map<String, Object>>();
            for (int j = 0; j <= i % 7; j++) msgs.add(Map.of("role", j % 2 == 0 ? "user" : "assistant", "content", " m" + i + "." + j + " "));
            contexts.add(ChatContext.of(msgs, true));
        }
        var sequential = contexts.stream().map(t::render).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                var futures = new ArrayList<Future<String>>();
                for (ChatContext c : contexts) futures.add(pool.submit(() -> t.render(c)));
                for (int i = 0; i < contexts.size(); i++) assertEquals(sequential.get(i), futures.get(i).get(), "context " + i + " round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
        // Hand-checked shape of one result: 3 messages, each trimmed, counted twice.
        assertEquals("<user>m2.0<assistant>m2.1<user>m2.2#33", sequential.get(2));
    }
}
