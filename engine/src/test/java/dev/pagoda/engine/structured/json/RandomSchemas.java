package dev.pagoda.engine.structured.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Random JSON Schemas of the supported subset (every schema states its type, as the compiler's
 * type inference is deliberately narrower than JSON Schema's "any type unless stated"), each
 * able to draw values that should validate, and to write values in the grammar's layout with
 * random whitespace.
 */
final class RandomSchemas {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Patterns with a generator of strings that contain a match (JSON Schema's pattern is a search). */
    private record Pat(String regex, Function<Random, String> sample) {}

    private static final List<Pat> PATTERNS = List.of(
            new Pat("^[a-z]{1,5}$", r -> letters(r, 1 + r.nextInt(5), 'a')),
            new Pat("^[A-Z][a-z]*$", r -> letters(r, 1, 'A') + letters(r, r.nextInt(4), 'a')),
            new Pat("[0-9]{3}", r -> letters(r, r.nextInt(3), 'a') + (100 + r.nextInt(900)) + letters(r, r.nextInt(3), 'a')),
            new Pat("^(ab|cd)+x?$", r -> (r.nextBoolean() ? "ab" : "cd") + (r.nextBoolean() ? "cd" : "") + (r.nextBoolean() ? "x" : "")),
            new Pat("^\\d{2}-\\d{2}$", r -> String.format("%02d-%02d", r.nextInt(100), r.nextInt(100))));

    /** Property names, some needing escapes in JSON. */
    private static final List<String> NAMES = List.of("id", "name", "age", "tags", "a b", "quote\"d", "ünï", "x", "value", "kind",
            "back\\slash", "nested", "count", "tab\tbed");

    private static String letters(Random r, int n, char base) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) s.append((char) (base + r.nextInt(26)));
        return s.toString();
    }

    /** A generated schema with its own value generator. */
    abstract static class S {
        abstract JsonNode json();

        /** A value meant to validate. */
        abstract JsonNode sample(Random r, Defs defs, int depth);
    }

    /** Named definitions ($defs) of one document. */
    static final class Defs {
        final Map<String, S> byName = new LinkedHashMap<>();
    }

    static final class Str extends S {
        Integer minLen, maxLen;
        Pat pattern;

        JsonNode json() {
            ObjectNode o = F.objectNode().put("type", "string");
            if (minLen != null) o.put("minLength", minLen);
            if (maxLen != null) o.put("maxLength", maxLen);
            if (pattern != null) o.put("pattern", pattern.regex);
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            if (pattern != null) return F.textNode(pattern.sample.apply(r));
            int lo = minLen == null ? 0 : minLen, hi = maxLen == null ? lo + 6 : maxLen;
            StringBuilder s = new StringBuilder();
            String[] chars = {"a", "Z", " ", "é", "😀", "\"", "\\", "\n", "/", "7", "\u0001"};
            for (int i = 0, n = lo + r.nextInt(Math.max(1, hi - lo + 1)); i < n; i++) s.append(chars[r.nextInt(chars.length)]);
            return F.textNode(s.toString());
        }
    }

    static final class Int extends S {
        Long min, max;
        boolean exclusiveMin, exclusiveMax;

        JsonNode json() {
            ObjectNode o = F.objectNode().put("type", "integer");
            if (min != null) o.put(exclusiveMin ? "exclusiveMinimum" : "minimum", min);
            if (max != null) o.put(exclusiveMax ? "exclusiveMaximum" : "maximum", max);
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            long lo = min == null ? -1000 : min + (exclusiveMin ? 1 : 0), hi = max == null ? 100000 : max - (exclusiveMax ? 1 : 0);
            if (hi < lo) return F.numberNode(lo);
            return F.numberNode(lo + (long) (r.nextDouble() * (hi - lo + 1)));
        }
    }

    static final class Num extends S {
        Long min, max;
        boolean exclusiveMin, exclusiveMax;

        JsonNode json() {
            ObjectNode o = F.objectNode().put("type", "number");
            if (min != null) o.put(exclusiveMin ? "exclusiveMinimum" : "minimum", min);
            if (max != null) o.put(exclusiveMax ? "exclusiveMaximum" : "maximum", max);
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            double lo = min == null ? -50 : min, hi = max == null ? 50 : max;
            double v = lo + Math.floor(r.nextDouble() * (hi - lo) * 4) / 4;
            if (r.nextInt(4) == 0) return F.numberNode((long) Math.floor(v));
            return F.numberNode(v);
        }
    }

    static final class Prim extends S {
        final List<String> types;

        Prim(List<String> types) {
            this.types = types;
        }

        JsonNode json() {
            ObjectNode o = F.objectNode();
            if (types.size() == 1) o.put("type", types.getFirst());
            else o.set("type", JSON.valueToTree(types));
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            return switch (types.get(r.nextInt(types.size()))) {
                case "null" -> F.nullNode();
                case "boolean" -> F.booleanNode(r.nextBoolean());
                case "string" -> F.textNode(letters(r, r.nextInt(4), 'a'));
                case "integer" -> F.numberNode(r.nextInt(200) - 100);
                default -> F.numberNode(r.nextInt(100) / 8.0);
            };
        }
    }

    static final class Enum extends S {
        final List<JsonNode> values;
        final boolean asConst;

        Enum(List<JsonNode> values, boolean asConst) {
            this.values = values;
            this.asConst = asConst;
        }

        JsonNode json() {
            ObjectNode o = F.objectNode();
            if (asConst) o.set("const", values.getFirst());
            else o.set("enum", JSON.valueToTree(values));
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            return values.get(r.nextInt(values.size()));
        }
    }

    static class Arr extends S {
        S items; // null: any value
        List<S> prefix = List.of();
        Integer minItems, maxItems;

        JsonNode json() {
            ObjectNode o = F.objectNode().put("type", "array");
            if (!prefix.isEmpty()) {
                ArrayNode p = o.putArray("prefixItems");
                prefix.forEach(x -> p.add(x.json()));
            }
            if (items != null) o.set("items", items.json());
            if (minItems != null) o.put("minItems", minItems);
            if (maxItems != null) o.put("maxItems", maxItems);
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            int lo = minItems == null ? 0 : minItems, hi = maxItems == null ? lo + 3 : maxItems;
            int n = lo + r.nextInt(Math.max(1, hi - lo + 1));
            ArrayNode a = F.arrayNode();
            for (int i = 0; i < n; i++) {
                S s = i < prefix.size() ? prefix.get(i) : items;
                a.add(s == null ? F.numberNode(i) : s.sample(r, d, depth + 1));
            }
            return a;
        }
    }

    static final class Obj extends S {
        final LinkedHashMap<String, S> props = new LinkedHashMap<>();
        final Set<String> required = new LinkedHashSet<>();
        /** null: additionalProperties absent; FALSE: false; otherwise a schema for extra values. */
        S additional;
        boolean additionalFalse;

        JsonNode json() {
            ObjectNode o = F.objectNode().put("type", "object");
            ObjectNode p = o.putObject("properties");
            props.forEach((k, v) -> p.set(k, v.json()));
            if (!required.isEmpty()) o.set("required", JSON.valueToTree(required));
            if (additionalFalse) o.put("additionalProperties", false);
            else if (additional != null) o.set("additionalProperties", additional.json());
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            ObjectNode o = F.objectNode();
            props.forEach((k, v) -> {
                if (required.contains(k) || r.nextInt(3) > 0) o.set(k, v.sample(r, d, depth + 1));
            });
            if (!additionalFalse && r.nextInt(4) == 0) {
                String extra = "extra" + r.nextInt(3);
                if (!props.containsKey(extra)) o.set(extra, additional == null ? F.numberNode(1) : additional.sample(r, d, depth + 1));
            }
            return o;
        }
    }

    static final class AnyOf extends S {
        final List<S> options;
        final String keyword;

        AnyOf(List<S> options, String keyword) {
            this.options = options;
            this.keyword = keyword;
        }

        JsonNode json() {
            ObjectNode o = F.objectNode();
            ArrayNode a = o.putArray(keyword);
            options.forEach(x -> a.add(x.json()));
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            return options.get(r.nextInt(options.size())).sample(r, d, depth);
        }
    }

    /** allOf of two objects with disjoint properties. */
    static final class AllOf extends S {
        final Obj a, b;

        AllOf(Obj a, Obj b) {
            this.a = a;
            this.b = b;
        }

        JsonNode json() {
            ObjectNode o = F.objectNode();
            o.putArray("allOf").add(a.json()).add(b.json());
            return o;
        }

        JsonNode sample(Random r, Defs d, int depth) {
            ObjectNode o = (ObjectNode) a.sample(r, d, depth);
            ObjectNode p = (ObjectNode) b.sample(r, d, depth);
            // members of the merged schema come in merged property order: a's, then b's
            ObjectNode out = F.objectNode();
            for (String k : a.props.keySet()) if (o.has(k)) out.set(k, o.get(k));
            for (String k : b.props.keySet()) if (p.has(k)) out.set(k, p.get(k));
            return out;
        }
    }

    static final class Ref extends S {
        final String name;

        Ref(String name) {
            this.name = name;
        }

        JsonNode json() {
            return F.objectNode().put("$ref", "#/$defs/" + name);
        }

        JsonNode sample(Random r, Defs d, int depth) {
            return d.byName.get(name).sample(r, d, depth + 1);
        }
    }

    /** A recursive tree: {"value": int, "children": [node...] (at most 2)}. */
    static Obj treeNode() {
        Obj node = new Obj();
        Int v = new Int();
        node.props.put("value", v);
        Arr children = new Arr() {
            @Override
            JsonNode sample(Random r, Defs d, int depth) {
                ArrayNode a = F.arrayNode();
                if (depth < 6) for (int i = 0, n = r.nextInt(3); i < n; i++) a.add(items.sample(r, d, depth + 1));
                return a;
            }
        };
        children.items = new Ref("node");
        children.maxItems = 2;
        node.props.put("children", children);
        node.required.add("value");
        node.additionalFalse = true;
        return node;
    }

    static S schema(Random r, Defs defs, int depth) {
        int kind = depth >= 3 ? r.nextInt(6) : r.nextInt(12);
        switch (kind) {
            case 0, 1 -> {
                Str s = new Str();
                if (r.nextInt(3) == 0) s.pattern = PATTERNS.get(r.nextInt(PATTERNS.size()));
                else {
                    if (r.nextBoolean()) s.minLen = r.nextInt(3);
                    if (r.nextBoolean()) s.maxLen = (s.minLen == null ? 0 : s.minLen) + r.nextInt(5);
                }
                return s;
            }
            case 2 -> {
                Int i = new Int();
                if (r.nextBoolean()) i.min = (long) r.nextInt(200) - 100;
                if (r.nextBoolean()) i.max = (i.min == null ? 0 : i.min) + r.nextInt(300);
                i.exclusiveMin = r.nextInt(3) == 0;
                i.exclusiveMax = r.nextInt(3) == 0;
                return i;
            }
            case 3 -> {
                Num n = new Num();
                if (r.nextBoolean()) n.min = (long) r.nextInt(20) - 10;
                if (r.nextBoolean()) n.max = (n.min == null ? 0 : n.min) + r.nextInt(20);
                n.exclusiveMin = r.nextInt(3) == 0;
                n.exclusiveMax = r.nextInt(3) == 0;
                return n;
            }
            case 4 -> {
                List<List<String>> options = List.of(List.of("boolean"), List.of("null"), List.of("string", "null"), List.of("integer", "boolean"),
                        List.of("number"), List.of("integer"));
                return new Prim(options.get(r.nextInt(options.size())));
            }
            case 5 -> {
                List<JsonNode> values = new ArrayList<>();
                JsonNode[] pool = {F.textNode("red"), F.textNode("green"), F.textNode("a \"quoted\" one"), F.numberNode(3), F.numberNode(-2.5),
                        F.nullNode(), F.booleanNode(true), JSON.createObjectNode().put("k", 1), F.textNode("ünï")};
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    JsonNode v = pool[r.nextInt(pool.length)];
                    if (!values.contains(v)) values.add(v);
                }
                return new Enum(values, values.size() == 1 && r.nextBoolean());
            }
            case 6, 7 -> {
                Arr a = new Arr();
                if (r.nextInt(3) > 0) a.items = schema(r, defs, depth + 1);
                if (r.nextInt(4) == 0) a.prefix = List.of(schema(r, defs, depth + 1), schema(r, defs, depth + 1));
                if (r.nextBoolean()) a.minItems = r.nextInt(3);
                if (r.nextBoolean()) a.maxItems = (a.minItems == null ? 0 : a.minItems) + r.nextInt(4);
                return a;
            }
            case 8, 9 -> {
                return object(r, defs, depth);
            }
            case 10 -> {
                if (r.nextBoolean()) return new AnyOf(List.of(schema(r, defs, depth + 1), schema(r, defs, depth + 1)), "anyOf");
                // oneOf of provably disjoint alternatives: different types
                return new AnyOf(List.of(new Prim(List.of("string")), new Prim(List.of("integer")), object(r, defs, depth + 1)), "oneOf");
            }
            default -> {
                if (r.nextBoolean()) {
                    defs.byName.putIfAbsent("node", treeNode());
                    return new Ref("node");
                }
                if (r.nextBoolean()) {
                    Obj a = object(r, defs, depth + 1), b = new Obj();
                    b.props.put("zz" + r.nextInt(9), schema(r, defs, depth + 1));
                    if (r.nextBoolean()) b.required.addAll(b.props.keySet());
                    a.additionalFalse = false;
                    a.additional = null;
                    a.props.keySet().removeIf(b.props::containsKey);
                    a.required.retainAll(a.props.keySet());
                    return new AllOf(a, b);
                }
                String name = "d" + defs.byName.size();
                defs.byName.put(name, null); // reserved: the definition's own sub-schemas take the next names
                defs.byName.put(name, schema(r, defs, depth + 1));
                return new Ref(name);
            }
        }
    }

    private static Obj object(Random r, Defs defs, int depth) {
        Obj o = new Obj();
        for (int i = 0, n = r.nextInt(5); i < n; i++) {
            String name = NAMES.get(r.nextInt(NAMES.size()));
            if (o.props.containsKey(name)) continue;
            o.props.put(name, schema(r, defs, depth + 1));
            if (r.nextBoolean()) o.required.add(name);
        }
        switch (r.nextInt(3)) {
            case 0 -> o.additionalFalse = true;
            case 1 -> o.additional = r.nextBoolean() ? new Prim(List.of("integer")) : null;
            default -> { }
        }
        return o;
    }

    /** The whole document: the root schema plus its $defs. */
    static String document(S root, Defs defs) {
        ObjectNode doc = (ObjectNode) root.json().deepCopy();
        if (!defs.byName.isEmpty()) {
            ObjectNode d = doc.putObject("$defs");
            defs.byName.forEach((k, v) -> d.set(k, v.json()));
        }
        if (root instanceof Ref) {
            // a root that is only a $ref: its $defs sit beside it, as 2020-12 allows
            return doc.toString();
        }
        return doc.toString();
    }

    /** {@code v} in the grammar's layout: Jackson's compact form with 0..2 whitespace bytes wherever the grammar allows them. */
    static String write(JsonNode v, Random r) {
        StringBuilder out = new StringBuilder();
        write(v, r, out);
        return out.toString();
    }

    private static void ws(Random r, StringBuilder out) {
        String[] w = {"", "", "", " ", "\n", "\t", "  ", "\n "};
        out.append(w[r.nextInt(w.length)]);
    }

    private static void write(JsonNode v, Random r, StringBuilder out) {
        if (v.isObject()) {
            out.append('{');
            ws(r, out);
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    ws(r, out);
                    out.append(',');
                    ws(r, out);
                }
                first = false;
                out.append(F.textNode(e.getKey()).toString());
                ws(r, out);
                out.append(':');
                ws(r, out);
                write(e.getValue(), r, out);
            }
            if (!first) ws(r, out);
            out.append('}');
        } else if (v.isArray()) {
            out.append('[');
            ws(r, out);
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    ws(r, out);
                    out.append(',');
                    ws(r, out);
                }
                write(v.get(i), r, out);
            }
            if (!v.isEmpty()) ws(r, out);
            out.append(']');
        } else {
            out.append(v.toString());
        }
    }

    /** A semantic change of a random sub-value: a wrong type, a dropped or added member, a changed number, string or array length. */
    static JsonNode mutate(JsonNode v, Random r) {
        JsonNode copy = v.deepCopy();
        List<JsonNode> containers = new ArrayList<>();
        collect(copy, containers);
        JsonNode[] replacements = {F.textNode("zz"), F.numberNode(7), F.numberNode(1000001), F.numberNode(-3.5), F.nullNode(), F.booleanNode(false),
                F.arrayNode(), F.objectNode(), F.textNode(""), F.textNode("abcdefghij"), F.numberNode(0)};
        if (containers.isEmpty() || r.nextInt(5) == 0) return replacements[r.nextInt(replacements.length)];
        JsonNode c = containers.get(r.nextInt(containers.size()));
        if (c instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            int what = r.nextInt(3);
            if (what == 0 && !keys.isEmpty()) o.remove(keys.get(r.nextInt(keys.size())));
            else if (what == 1 && !keys.isEmpty()) o.set(keys.get(r.nextInt(keys.size())), replacements[r.nextInt(replacements.length)]);
            else o.set(NAMES.get(r.nextInt(NAMES.size())) + (r.nextBoolean() ? "" : "2"), F.numberNode(1));
        } else if (c instanceof ArrayNode a) {
            int what = r.nextInt(3);
            if (what == 0 && !a.isEmpty()) a.remove(r.nextInt(a.size()));
            else if (what == 1 && !a.isEmpty()) a.set(r.nextInt(a.size()), replacements[r.nextInt(replacements.length)]);
            else a.add(a.isEmpty() ? F.numberNode(1) : a.get(0).deepCopy());
        }
        return copy;
    }

    private static void collect(JsonNode v, List<JsonNode> out) {
        if (v.isContainerNode()) {
            out.add(v);
            v.forEach(c -> collect(c, out));
        }
    }

    /** A syntax break of a text: cut short, a structural byte ({@code {}[],:"}) removed, a trailing comma, a doubled colon. */
    static String breakSyntax(String text, Random r) {
        if (text.isEmpty()) return "}";
        return switch (r.nextInt(4)) {
            case 0 -> text.substring(0, r.nextInt(text.length()));
            case 1 -> {
                List<Integer> structural = new ArrayList<>();
                for (int i = 0; i < text.length(); i++) if ("{}[],:\"".indexOf(text.charAt(i)) >= 0) structural.add(i);
                if (structural.isEmpty()) yield text + "]";
                int i = structural.get(r.nextInt(structural.size()));
                yield text.substring(0, i) + text.substring(i + 1);
            }
            case 2 -> text.endsWith("}") || text.endsWith("]") ? text.substring(0, text.length() - 1) + ",}" : text + ",";
            default -> text.replaceFirst(":", "::");
        };
    }
}
