package dev.pagoda.engine.structured.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.structured.grammar.CodepointSet;
import dev.pagoda.engine.structured.grammar.Expr;
import dev.pagoda.engine.structured.grammar.Grammar;
import dev.pagoda.engine.structured.grammar.GrammarException;
import dev.pagoda.engine.structured.regex.RegexParser;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema (draft 2020-12, with draft-07's tuple {@code items} and draft-04's boolean
 * exclusive bounds also read) as a grammar whose strings are JSON texts valid against it, written
 * in one canonical layout (see the package documentation for the whitespace and order rules).
 * Supported keywords: {@code type} (one or a list), {@code enum}, {@code const},
 * {@code properties}, {@code required}, {@code additionalProperties} (false, true, absent or a
 * schema), {@code items}, {@code prefixItems}, {@code minItems}, {@code maxItems},
 * {@code anyOf}, {@code oneOf} (when its alternatives are provably disjoint), {@code allOf}
 * (merged), {@code $ref} to the same document ({@code #}, {@code #/$defs/...}, any JSON pointer;
 * recursion allowed), {@code minLength}, {@code maxLength}, {@code pattern}, {@code format}
 * ({@link StringFormats}), {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
 * {@code exclusiveMaximum} (any bounds for integers; integral bounds for numbers). Annotations
 * ({@code title}, {@code description}, {@code default}, {@code examples} …) are ignored. Any
 * other keyword is refused under {@code strict} with its name and location, and ignored otherwise.
 */
public final class JsonSchemaCompiler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "default", "examples",
            "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "contentMediaType", "contentEncoding", "contentSchema",
            "$vocabulary", "$anchor");
    private static final Set<String> SUPPORTED = Set.of("type", "enum", "const", "properties", "required", "additionalProperties", "items",
            "prefixItems", "additionalItems", "minItems", "maxItems", "anyOf", "oneOf", "allOf", "$ref", "minLength", "maxLength", "pattern",
            "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final Set<String> OBJECT_KEYS = Set.of("properties", "required", "additionalProperties");
    private static final Set<String> ARRAY_KEYS = Set.of("items", "prefixItems", "additionalItems", "minItems", "maxItems");
    private static final Set<String> STRING_KEYS = Set.of("minLength", "maxLength", "pattern", "format");
    private static final Set<String> NUMBER_KEYS = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final List<String> ALL_TYPES = List.of("object", "array", "string", "number", "boolean", "null");

    /** A repetition ({@code maxItems}, {@code maxLength}) costs its count times the element's size; above this it is too large. */
    static final int REPEAT_BUDGET = 20_000;

    private final JsonNode document;
    private final boolean strict;
    private final Map<String, Expr> rules = new LinkedHashMap<>();
    private final Map<String, String> refRules = new HashMap<>();
    private final ArrayDeque<String> pendingRefs = new ArrayDeque<>();
    private boolean anyValueUsed;

    private JsonSchemaCompiler(JsonNode document, boolean strict) {
        this.document = document;
        this.strict = strict;
    }

    /** @throws GrammarException for invalid JSON, an invalid schema, or (strict) an unsupported keyword */
    public static Grammar compile(String schemaJson, boolean strict) {
        JsonNode doc;
        try {
            doc = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new GrammarException("the schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (doc == null) throw new GrammarException("the schema is empty");
        JsonSchemaCompiler c = new JsonSchemaCompiler(doc, strict);
        Expr root = c.schema(doc, "");
        Map<String, Expr> all = new LinkedHashMap<>();
        all.put("root", root);
        while (!c.pendingRefs.isEmpty()) {
            String pointer = c.pendingRefs.poll();
            c.rules.put(c.refRules.get(pointer), c.schema(c.resolve(pointer, pointer), pointer));
        }
        all.putAll(c.rules);
        if (c.anyValueUsed) all.putAll(JsonSyntax.anyValueRules());
        return new Grammar("root", all);
    }

    private GrammarException invalid(String path, String what) {
        return new GrammarException("invalid JSON Schema at " + where(path) + ": " + what);
    }

    private static String where(String path) {
        return path.isEmpty() ? "the root" : path;
    }

    /** Under strict, refuses; otherwise lets the caller ignore it. */
    private void unsupported(String path, String what) {
        if (strict) throw new GrammarException(what + " at " + where(path) + " is not supported (strict mode refuses what it cannot enforce)");
    }

    private Expr anyValue() {
        anyValueUsed = true;
        return Expr.ref(JsonSyntax.VALUE_RULE);
    }

    Expr schema(JsonNode s, String path) {
        if (s.isBoolean()) return s.booleanValue() ? anyValue() : Expr.NOTHING;
        if (!s.isObject()) throw invalid(path, "a schema must be an object or a boolean, found " + s.getNodeType().toString().toLowerCase());
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) unsupported(path, "keyword \"" + k + "\"");
        }
        if (s.has("$ref")) {
            for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("$ref") && SUPPORTED.contains(k) && !k.equals("$defs")) unsupported(path, "keyword \"" + k + "\" beside \"$ref\"");
            }
            return ref(s.get("$ref"), path);
        }
        if (s.has("allOf")) return schema(mergeAllOf((ObjectNode) s, path), path);
        if (s.has("anyOf") || s.has("oneOf")) return alternatives((ObjectNode) s, path);
        if (s.has("const") || s.has("enum")) return values(s, path);
        List<String> types = types(s, path);
        List<Expr> options = new ArrayList<>();
        if (types == null) return anyValue();
        for (String t : types) {
            options.add(switch (t) {
                case "null" -> JsonSyntax.NULL;
                case "boolean" -> JsonSyntax.BOOLEAN;
                case "integer" -> integer(s, path);
                case "number" -> number(s, path);
                case "string" -> string(s, path);
                case "array" -> array(s, path);
                case "object" -> object(s, path);
                default -> throw invalid(path, "unknown type \"" + t + "\"");
            });
        }
        return Expr.alt(options);
    }

    /**
     * The explicit types, or those implied by the keywords present (a schema with
     * {@code properties} is taken to mean an object, as xgrammar does, rather than "an object
     * like this or any non-object"); null for any value.
     */
    private List<String> types(JsonNode s, String path) {
        JsonNode t = s.get("type");
        if (t != null) {
            List<String> out = new ArrayList<>();
            if (t.isTextual()) out.add(t.asText());
            else if (t.isArray()) t.forEach(x -> out.add(x.asText()));
            else throw invalid(path, "\"type\" must be a string or an array of strings");
            // integer is a subset of number: a list with both means number
            if (out.contains("number")) out.remove("integer");
            return out;
        }
        Set<String> inferred = new LinkedHashSet<>();
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (OBJECT_KEYS.contains(k)) inferred.add("object");
            if (ARRAY_KEYS.contains(k)) inferred.add("array");
            if (STRING_KEYS.contains(k)) inferred.add("string");
            if (NUMBER_KEYS.contains(k)) inferred.add("number");
        }
        return inferred.isEmpty() ? null : List.copyOf(inferred);
    }

    // ---- references ----

    private Expr ref(JsonNode ref, String path) {
        if (!ref.isTextual()) throw invalid(path, "\"$ref\" must be a string");
        String target = ref.asText();
        if (!target.startsWith("#")) throw new GrammarException("\"$ref\": \"" + target + "\" at " + where(path) + ": only references within the schema (#...) are supported");
        String pointer = target.substring(1);
        resolve(pointer, path); // fail early on a dangling reference
        String rule = refRules.get(pointer);
        if (rule == null) {
            rule = "ref" + refRules.size() + ":" + (pointer.isEmpty() ? "#" : pointer);
            refRules.put(pointer, rule);
            pendingRefs.add(pointer);
        }
        return Expr.ref(rule);
    }

    private JsonNode resolve(String pointer, String path) {
        JsonNode at = document;
        if (pointer.isEmpty()) return at;
        if (!pointer.startsWith("/")) throw invalid(path, "\"$ref\" \"#" + pointer + "\" is not a JSON pointer (anchors are not supported)");
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8).replace("~1", "/").replace("~0", "~");
            at = at.isArray() && token.matches("\\d+") ? at.get(Integer.parseInt(token)) : at.get(token);
            if (at == null) throw invalid(path, "\"$ref\" \"#" + pointer + "\" points at nothing");
        }
        return at;
    }

    // ---- combinators ----

    private Expr alternatives(ObjectNode s, String path) {
        String key = s.has("anyOf") ? "anyOf" : "oneOf";
        if (s.has("anyOf") && s.has("oneOf")) unsupported(path, "\"anyOf\" together with \"oneOf\"");
        JsonNode list = s.get(key);
        if (!list.isArray() || list.isEmpty()) throw invalid(path, "\"" + key + "\" must be a non-empty array");
        ObjectNode siblings = s.deepCopy();
        siblings.remove(List.of("anyOf", "oneOf"));
        boolean constrained = constraining(siblings);
        List<JsonNode> members = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            members.add(constrained ? mergedNode(List.of(siblings, m), path + "/" + key + "/" + i) : m);
        }
        if (key.equals("oneOf")) {
            for (int i = 0; i < members.size(); i++) {
                for (int j = i + 1; j < members.size(); j++) {
                    if (mayOverlap(members.get(i), members.get(j))) {
                        unsupported(path, "\"oneOf\" whose alternatives " + i + " and " + j + " may both match (exactly-one cannot be enforced)");
                    }
                }
            }
        }
        List<Expr> options = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) options.add(schema(members.get(i), path + "/" + key + "/" + i));
        return Expr.alt(options);
    }

    /** Whether a schema object has keywords that constrain (not only annotations). */
    private static boolean constraining(JsonNode s) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) if (!ANNOTATIONS.contains(it.next())) return true;
        return false;
    }

    private JsonNode mergeAllOf(ObjectNode s, String path) {
        JsonNode list = s.get("allOf");
        if (!list.isArray() || list.isEmpty()) throw invalid(path, "\"allOf\" must be a non-empty array");
        ObjectNode rest = s.deepCopy();
        rest.remove("allOf");
        List<JsonNode> parts = new ArrayList<>();
        parts.add(rest);
        list.forEach(parts::add);
        return mergedNode(parts, path);
    }

    /**
     * One schema equal to the conjunction of {@code parts}, where that is a union of their
     * keywords: properties merged (a property in several parts gets their allOf), required
     * unioned, types intersected, bounds tightened; local references are followed first.
     */
    private JsonNode mergedNode(List<JsonNode> parts, String path) {
        ObjectNode out = JSON.createObjectNode();
        for (JsonNode raw : parts) {
            JsonNode p = raw;
            for (int hops = 0; p.isObject() && p.has("$ref") && hops < 32; hops++) {
                ObjectNode copy = ((ObjectNode) p).deepCopy();
                JsonNode target = resolve(copy.remove("$ref").asText().substring(1), path);
                if (target.isObject() && target.has("$ref") && target.get("$ref").asText().equals(p.get("$ref").asText())) break;
                p = mergedNode(List.of(target, copy), path);
            }
            if (p.isBoolean()) {
                if (!p.booleanValue()) return p;
                continue;
            }
            if (p.has("allOf")) p = mergeAllOf((ObjectNode) p, path);
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                JsonNode v = e.getValue();
                JsonNode old = out.get(k);
                if (old == null || ANNOTATIONS.contains(k)) {
                    if (old == null) out.set(k, v);
                    continue;
                }
                switch (k) {
                    case "required" -> {
                        Set<String> all = new LinkedHashSet<>();
                        old.forEach(x -> all.add(x.asText()));
                        v.forEach(x -> all.add(x.asText()));
                        out.set(k, JSON.valueToTree(all));
                    }
                    case "properties" -> {
                        ObjectNode merged = ((ObjectNode) old).deepCopy();
                        for (Iterator<Map.Entry<String, JsonNode>> pi = v.fields(); pi.hasNext(); ) {
                            Map.Entry<String, JsonNode> prop = pi.next();
                            JsonNode mine = merged.get(prop.getKey());
                            merged.set(prop.getKey(), mine == null ? prop.getValue()
                                    : JSON.createObjectNode().set("allOf", JSON.createArrayNode().add(mine).add(prop.getValue())));
                        }
                        out.set(k, merged);
                    }
                    case "type" -> {
                        Set<String> a = typeSet(old), b = typeSet(v);
                        if (a.contains("number") && b.contains("integer")) a.add("integer");
                        if (b.contains("number") && a.contains("integer")) b.add("integer");
                        a.retainAll(b);
                        if (a.isEmpty()) return JSON.getNodeFactory().booleanNode(false);
                        out.set(k, JSON.valueToTree(a));
                    }
                    case "minimum", "minLength", "minItems", "exclusiveMinimum" -> out.set(k, old.decimalValue().compareTo(v.decimalValue()) >= 0 ? old : v);
                    case "maximum", "maxLength", "maxItems", "exclusiveMaximum" -> out.set(k, old.decimalValue().compareTo(v.decimalValue()) <= 0 ? old : v);
                    case "additionalProperties" -> {
                        if (old.equals(v)) continue;
                        if (old.isBoolean() && !old.booleanValue() || v.isBoolean() && !v.booleanValue()) {
                            out.set(k, JSON.getNodeFactory().booleanNode(false));
                        } else {
                            out.set(k, JSON.createObjectNode().set("allOf", JSON.createArrayNode().add(old).add(v)));
                        }
                    }
                    case "items" -> out.set(k, JSON.createObjectNode().set("allOf", JSON.createArrayNode().add(old).add(v)));
                    default -> {
                        if (!old.equals(v)) unsupported(path, "\"allOf\" members with different \"" + k + "\"");
                    }
                }
            }
        }
        return out;
    }

    private static Set<String> typeSet(JsonNode t) {
        Set<String> out = new LinkedHashSet<>();
        if (t.isTextual()) out.add(t.asText());
        else t.forEach(x -> out.add(x.asText()));
        return out;
    }

    /**
     * False only where no value can match both schemas: disjoint types, disjoint
     * const/enum values, or a property both require whose const/enum values are disjoint
     * (a discriminator). Conservative: true whenever unsure.
     */
    private boolean mayOverlap(JsonNode a, JsonNode b) {
        a = followRefs(a);
        b = followRefs(b);
        if (a.isBoolean() || b.isBoolean()) return a.asBoolean(true) && b.asBoolean(true);
        Set<JsonNode> va = valuesOf(a), vb = valuesOf(b);
        if (va != null && vb != null) {
            for (JsonNode x : va) if (vb.contains(x)) return true;
            return false;
        }
        Set<String> ta = possibleTypes(a), tb = possibleTypes(b);
        Set<String> common = new LinkedHashSet<>(ta);
        common.retainAll(tb);
        if (common.isEmpty()) return false;
        if (common.equals(Set.of("object")) && a.has("properties") && b.has("properties")) {
            Set<String> required = new LinkedHashSet<>();
            a.path("required").forEach(x -> required.add(x.asText()));
            Set<String> rb = new LinkedHashSet<>();
            b.path("required").forEach(x -> rb.add(x.asText()));
            required.retainAll(rb);
            for (String p : required) {
                JsonNode pa = a.path("properties").get(p), pb = b.path("properties").get(p);
                if (pa != null && pb != null && !mayOverlap(pa, pb)) return false;
            }
        }
        return true;
    }

    private JsonNode followRefs(JsonNode s) {
        for (int i = 0; i < 32 && s.isObject() && s.has("$ref") && s.get("$ref").isTextual() && s.get("$ref").asText().startsWith("#"); i++) {
            s = resolve(s.get("$ref").asText().substring(1), "");
        }
        return s;
    }

    /** The const/enum values a schema allows, or null where it has neither. */
    private static Set<JsonNode> valuesOf(JsonNode s) {
        if (s.has("const")) return Set.of(s.get("const"));
        if (s.has("enum") && s.get("enum").isArray()) {
            Set<JsonNode> out = new LinkedHashSet<>();
            s.get("enum").forEach(out::add);
            return out;
        }
        return null;
    }

    private Set<String> possibleTypes(JsonNode s) {
        Set<String> out = new LinkedHashSet<>();
        if (s.has("anyOf") || s.has("oneOf") || s.has("allOf")) return new LinkedHashSet<>(ALL_TYPES);
        List<String> t = types(s, "");
        if (t == null) return new LinkedHashSet<>(ALL_TYPES);
        for (String x : t) out.add(x.equals("integer") ? "number" : x);
        return out;
    }

    // ---- values ----

    private Expr values(JsonNode s, String path) {
        List<JsonNode> allowed = new ArrayList<>();
        if (s.has("const")) allowed.add(s.get("const"));
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            if (!e.isArray()) throw invalid(path, "\"enum\" must be an array");
            if (s.has("const")) {
                List<JsonNode> both = new ArrayList<>();
                for (JsonNode v : e) if (v.equals(s.get("const"))) both.add(v);
                allowed = both;
            } else {
                e.forEach(allowed::add);
            }
        }
        List<String> types = s.has("type") ? types(s, path) : null;
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (SUPPORTED.contains(k) && !Set.of("const", "enum", "type").contains(k)) unsupported(path, "keyword \"" + k + "\" beside enum/const");
        }
        List<Expr> options = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JsonNode v : allowed) {
            if (types != null && !types.contains(typeOf(v)) && !(typeOf(v).equals("integer") && types.contains("number"))) continue;
            if (seen.add(canonical(v))) options.add(value(v));
        }
        return Expr.alt(options);
    }

    /** Exactly the value {@code v} in the layout: scalars as Jackson writes them, members in {@code v}'s order, whitespace where the grammar allows it elsewhere. */
    static Expr value(JsonNode v) {
        Expr comma = Expr.seq(JsonSyntax.WS, Expr.literal(","), JsonSyntax.WS);
        if (v.isObject()) {
            List<Expr> items = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!items.isEmpty()) items.add(comma);
                items.add(member(e.getKey(), value(e.getValue())));
            }
            return bracketed("{", items, "}");
        }
        if (v.isArray()) {
            List<Expr> items = new ArrayList<>();
            for (JsonNode e : v) {
                if (!items.isEmpty()) items.add(comma);
                items.add(value(e));
            }
            return bracketed("[", items, "]");
        }
        return Expr.literal(canonical(v));
    }

    private static Expr bracketed(String open, List<Expr> items, String close) {
        Expr start = Expr.seq(Expr.literal(open), JsonSyntax.WS);
        if (items.isEmpty()) return Expr.seq(start, Expr.literal(close));
        return Expr.seq(start, Expr.seq(items), JsonSyntax.WS, Expr.literal(close));
    }

    /** The JSON Schema type of a value ("integer" for integral numbers). */
    static String typeOf(JsonNode v) {
        if (v.isNull()) return "null";
        if (v.isBoolean()) return "boolean";
        if (v.isTextual()) return "string";
        if (v.isArray()) return "array";
        if (v.isObject()) return "object";
        if (v.isIntegralNumber()) return "integer";
        BigDecimal d = v.decimalValue();
        return d.stripTrailingZeros().scale() <= 0 ? "integer" : "number";
    }

    /** A value in the canonical layout: Jackson's compact serialisation. */
    static String canonical(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- strings ----

    private Expr string(JsonNode s, String path) {
        Expr content = null;
        if (s.has("format")) {
            String f = s.get("format").asText();
            content = StringFormats.content(f);
            if (content == null) unsupported(path, "format \"" + f + "\" (supported: " + String.join(", ", new java.util.TreeSet<>(StringFormats.SUPPORTED)) + ")");
        }
        if (s.has("pattern")) {
            if (!s.get("pattern").isTextual()) throw invalid(path, "\"pattern\" must be a string");
            RegexParser.Regex r = RegexParser.parse(s.get("pattern").asText());
            Expr any = Expr.star(JsonSyntax.STRING_CHAR);
            Expr p = Expr.seq(r.anchoredStart() ? Expr.EMPTY : any, jsonContent(r.body()), r.anchoredEnd() ? Expr.EMPTY : any);
            content = content == null ? p : intersect(content, p);
        }
        int min = s.has("minLength") ? count(s, "minLength", path) : 0;
        int max = s.has("maxLength") ? count(s, "maxLength", path) : Expr.UNBOUNDED;
        if (min > 0 || max != Expr.UNBOUNDED) {
            if (Math.max(min, max) > REPEAT_BUDGET / 8) {
                unsupported(path, "a string length bound above " + REPEAT_BUDGET / 8);
                min = 0;
                max = Expr.UNBOUNDED;
            }
        }
        if (min > 0 || max != Expr.UNBOUNDED) {
            Expr lengths = Expr.repeat(JsonSyntax.STRING_CHAR, min, max);
            content = content == null ? lengths : intersect(content, lengths);
        }
        if (content == null) return JsonSyntax.STRING;
        return Expr.seq(JsonSyntax.QUOTE, content, JsonSyntax.QUOTE);
    }

    /** Strings of both (regular) expressions: a − (a − b). */
    private static Expr intersect(Expr a, Expr b) {
        return new Expr.Minus(a, new Expr.Minus(a, b));
    }

    /** A pattern over characters as the content of a JSON string: plain characters as themselves, the rest as their (canonical) escapes. */
    static Expr jsonContent(Expr e) {
        return switch (e) {
            case Expr.Chars c -> {
                List<Expr> options = new ArrayList<>();
                CodepointSet plain = c.set().intersect(JsonSyntax.PLAIN);
                if (!plain.isEmpty()) options.add(Expr.chars(plain));
                CodepointSet escaped = c.set().minus(JsonSyntax.PLAIN);
                int[] r = escaped.ranges();
                for (int i = 0; i < r.length; i += 2) {
                    for (int cp = r[i]; cp <= r[i + 1]; cp++) options.add(Expr.literal(JsonSyntax.escape(new String(Character.toChars(cp)))));
                }
                yield Expr.alt(options);
            }
            case Expr.Seq s -> Expr.seq(s.items().stream().map(JsonSchemaCompiler::jsonContent).toList());
            case Expr.Alt a -> Expr.alt(a.options().stream().map(JsonSchemaCompiler::jsonContent).toList());
            case Expr.Repeat r -> new Expr.Repeat(jsonContent(r.item()), r.min(), r.max());
            default -> throw new IllegalStateException("a regex produced " + e);
        };
    }

    private int count(JsonNode s, String key, String path) {
        JsonNode v = s.get(key);
        if (!v.isNumber() || v.decimalValue().signum() < 0 || v.decimalValue().stripTrailingZeros().scale() > 0) {
            throw invalid(path, "\"" + key + "\" must be a non-negative integer");
        }
        return v.decimalValue().min(BigDecimal.valueOf(Integer.MAX_VALUE)).intValue();
    }

    // ---- numbers ----

    /** Lower and upper bounds, each inclusive or exclusive; null where open. */
    private record Bounds(BigDecimal lo, boolean loExclusive, BigDecimal hi, boolean hiExclusive) {}

    private Bounds bounds(JsonNode s, String path) {
        BigDecimal lo = null, hi = null;
        boolean loEx = false, hiEx = false;
        if (s.has("minimum")) lo = number(s, "minimum", path);
        if (s.has("maximum")) hi = number(s, "maximum", path);
        JsonNode xmin = s.get("exclusiveMinimum"), xmax = s.get("exclusiveMaximum");
        if (xmin != null) {
            if (xmin.isBoolean()) {
                loEx = xmin.booleanValue() && lo != null; // draft-04: modifies minimum
            } else {
                BigDecimal v = number(s, "exclusiveMinimum", path);
                if (lo == null || v.compareTo(lo) >= 0) {
                    lo = v;
                    loEx = true;
                }
            }
        }
        if (xmax != null) {
            if (xmax.isBoolean()) {
                hiEx = xmax.booleanValue() && hi != null;
            } else {
                BigDecimal v = number(s, "exclusiveMaximum", path);
                if (hi == null || v.compareTo(hi) <= 0) {
                    hi = v;
                    hiEx = true;
                }
            }
        }
        return new Bounds(lo, loEx, hi, hiEx);
    }

    private BigDecimal number(JsonNode s, String key, String path) {
        if (!s.get(key).isNumber()) throw invalid(path, "\"" + key + "\" must be a number");
        return s.get(key).decimalValue();
    }

    private Expr integer(JsonNode s, String path) {
        Bounds b = bounds(s, path);
        if (b.lo == null && b.hi == null) return JsonSyntax.INTEGER;
        BigInteger lo = null, hi = null;
        if (b.lo != null) {
            lo = b.lo.setScale(0, RoundingMode.CEILING).toBigInteger();
            if (b.loExclusive && b.lo.compareTo(new BigDecimal(lo)) == 0) lo = lo.add(BigInteger.ONE);
        }
        if (b.hi != null) {
            hi = b.hi.setScale(0, RoundingMode.FLOOR).toBigInteger();
            if (b.hiExclusive && b.hi.compareTo(new BigDecimal(hi)) == 0) hi = hi.subtract(BigInteger.ONE);
        }
        return IntegerRanges.integers(lo, hi);
    }

    /**
     * A number with integral bounds: no exponent, the integer part in range, and at an integral
     * bound the fraction restricted (zero at an inclusive upper bound, non-zero at an exclusive
     * lower one). Non-integral bounds are not supported.
     */
    private Expr number(JsonNode s, String path) {
        Bounds b = bounds(s, path);
        if (b.lo == null && b.hi == null) return JsonSyntax.NUMBER;
        if ((b.lo != null && b.lo.stripTrailingZeros().scale() > 0) || (b.hi != null && b.hi.stripTrailingZeros().scale() > 0)) {
            unsupported(path, "a non-integral bound of a number");
            return JsonSyntax.NUMBER;
        }
        BigInteger lo = b.lo == null ? null : b.lo.toBigIntegerExact(), hi = b.hi == null ? null : b.hi.toBigIntegerExact();
        List<Expr> options = new ArrayList<>();
        // v >= 0: magnitude in [max(lo, 0), hi]
        if (hi == null || hi.signum() >= 0) {
            boolean fromZero = lo == null || lo.signum() < 0;
            options.add(magnitudes(fromZero ? BigInteger.ZERO : lo, !fromZero && b.loExclusive, hi, b.hiExclusive, false));
        }
        // v < 0: "-" and magnitude m > 0 with -m in range: m in [max(-hi, 0), -lo]
        if (lo == null || lo.signum() < 0) {
            boolean toZero = hi == null || hi.signum() >= 0;
            Expr m = magnitudes(toZero ? BigInteger.ZERO : hi.negate(), toZero || b.hiExclusive, lo == null ? null : lo.negate(), b.loExclusive, true);
            options.add(Expr.seq(Expr.literal("-"), m));
        }
        return Expr.alt(options);
    }

    /** Decimal numerals n[.f] of a magnitude in [lo, hi] (null hi: open) with the given exclusivity. */
    private static Expr magnitudes(BigInteger lo, boolean loExclusive, BigInteger hi, boolean hiExclusive, boolean negative) {
        Expr anyFraction = Expr.optional(JsonSyntax.FRACTION);
        Expr zeroFraction = Expr.optional(Expr.seq(Expr.literal("."), Expr.repeat(Expr.literal("0"), 1, JsonSyntax.MAX_FRACTION_DIGITS)));
        Expr nonZeroFraction = new Expr.Minus(JsonSyntax.FRACTION, zeroFraction);
        List<Expr> options = new ArrayList<>();
        if (hi != null && lo.compareTo(hi) == 0) {
            // a single integer part: lo.f must satisfy both ends
            if (loExclusive && hiExclusive) return Expr.NOTHING;
            if (hiExclusive) return Expr.NOTHING;
            if (loExclusive) return Expr.NOTHING; // lo < m <= lo: only m = lo, excluded
            return Expr.seq(IntegerRanges.naturals(lo, lo), zeroFraction);
        }
        // integer part lo
        options.add(Expr.seq(IntegerRanges.naturals(lo, lo), loExclusive ? nonZeroFraction : anyFraction));
        // integer parts strictly between
        BigInteger from = lo.add(BigInteger.ONE);
        BigInteger to = hi == null ? null : hi.subtract(BigInteger.ONE);
        if (to == null || from.compareTo(to) <= 0) options.add(Expr.seq(IntegerRanges.naturals(from, to), anyFraction));
        // integer part hi: only a zero fraction, and only when inclusive
        if (hi != null && !hiExclusive) options.add(Expr.seq(IntegerRanges.naturals(hi, hi), zeroFraction));
        return Expr.alt(options);
    }

    // ---- arrays ----

    private Expr array(JsonNode s, String path) {
        List<Expr> prefix = new ArrayList<>();
        JsonNode items = s.get("items");
        JsonNode rest;
        if (s.has("prefixItems")) {
            JsonNode p = s.get("prefixItems");
            if (!p.isArray()) throw invalid(path, "\"prefixItems\" must be an array");
            for (int i = 0; i < p.size(); i++) prefix.add(schema(p.get(i), path + "/prefixItems/" + i));
            rest = items;
        } else if (items != null && items.isArray()) { // draft-07 tuple
            for (int i = 0; i < items.size(); i++) prefix.add(schema(items.get(i), path + "/items/" + i));
            rest = s.get("additionalItems");
        } else {
            rest = items;
        }
        Expr item = rest == null ? anyValue() : schema(rest, path + (s.has("prefixItems") || items == null ? "/items" : "/additionalItems"));
        if (s.has("additionalItems") && !(items != null && items.isArray())) unsupported(path, "\"additionalItems\" without a tuple \"items\"");
        int min = s.has("minItems") ? count(s, "minItems", path) : 0;
        int max = s.has("maxItems") ? count(s, "maxItems", path) : Expr.UNBOUNDED;
        if (max != Expr.UNBOUNDED && max < min) return Expr.NOTHING;
        if (Math.max(min, max) > REPEAT_BUDGET / 100) {
            unsupported(path, "an item count bound above " + REPEAT_BUDGET / 100);
            min = Math.min(min, 1);
            max = Expr.UNBOUNDED;
        }
        if (Math.max(min, max) > 1 && !(item instanceof Expr.Ref) && !item.equals(Expr.NOTHING)) {
            // a rule of its own: the grammar builder keeps it one automaton when copying it min/max times would be large
            String name = "items" + rules.size() + ":" + (path.isEmpty() ? "#" : path);
            rules.put(name, item);
            item = Expr.ref(name);
        }
        Expr comma = Expr.seq(JsonSyntax.WS, Expr.literal(","), JsonSyntax.WS);
        Expr body = elements(prefix, item, min, max, comma);
        Expr open = Expr.seq(Expr.literal("["), JsonSyntax.WS);
        Expr close = Expr.literal("]");
        if (max == 0) return Expr.seq(open, close);
        Expr elements = Expr.seq(body, JsonSyntax.WS);
        return Expr.seq(open, min == 0 ? Expr.optional(elements) : elements, close);
    }

    /**
     * At least one element, comma-separated, their count within [max(min, 1), max]: element j
     * matches prefixItems[j] while there is one, then the items schema. A prefix element past
     * min may be missing, and then so are all after it.
     */
    private static Expr elements(List<Expr> prefix, Expr item, int min, int max, Expr comma) {
        int k = prefix.size();
        Expr more;
        int needAfterPrefix = Math.max(0, min - k);
        if (item.equals(Expr.NOTHING)) {
            more = needAfterPrefix > 0 ? Expr.NOTHING : Expr.EMPTY;
        } else {
            int maxAfter = max == Expr.UNBOUNDED ? Expr.UNBOUNDED : Math.max(0, max - k);
            more = Expr.repeat(Expr.seq(comma, item), Math.min(needAfterPrefix, maxAfter == Expr.UNBOUNDED ? needAfterPrefix : maxAfter),
                    maxAfter);
        }
        if (k == 0) {
            if (item.equals(Expr.NOTHING)) return Expr.NOTHING;
            int need = Math.max(min, 1);
            int maxRest = max == Expr.UNBOUNDED ? Expr.UNBOUNDED : max - 1;
            return Expr.seq(item, Expr.repeat(Expr.seq(comma, item), need - 1, maxRest));
        }
        Expr rest = more;
        for (int j = k; j >= 1; j--) {
            if (max != Expr.UNBOUNDED && j > max) {
                rest = Expr.EMPTY;
                continue;
            }
            Expr withIt = j == 1 ? Expr.seq(prefix.get(0), rest) : Expr.seq(comma, prefix.get(j - 1), rest);
            rest = j > Math.max(min, 1) ? Expr.optional(withIt) : withIt;
        }
        return rest;
    }

    // ---- objects ----

    private Expr object(JsonNode s, String path) {
        JsonNode props = s.path("properties");
        if (!props.isMissingNode() && !props.isObject()) throw invalid(path, "\"properties\" must be an object");
        Set<String> required = new LinkedHashSet<>();
        if (s.has("required")) {
            if (!s.get("required").isArray()) throw invalid(path, "\"required\" must be an array of names");
            s.get("required").forEach(x -> required.add(x.asText()));
        }
        JsonNode additional = s.get("additionalProperties");
        boolean extrasAllowed = additional == null || !additional.isBoolean() || additional.booleanValue();
        Expr extraValue = !extrasAllowed ? Expr.NOTHING
                : additional == null || additional.isBoolean() ? anyValue() : schema(additional, path + "/additionalProperties");
        if (extraValue.equals(Expr.NOTHING)) extrasAllowed = false;

        List<String> names = new ArrayList<>();
        List<Expr> members = new ArrayList<>();
        List<Boolean> needed = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            Expr value = schema(p.getValue(), path + "/properties/" + p.getKey().replace("~", "~0").replace("/", "~1"));
            names.add(p.getKey());
            if (value.equals(Expr.NOTHING)) {
                if (required.contains(p.getKey())) return Expr.NOTHING; // a required property no value satisfies
                continue; // "false": the property must be absent
            }
            members.add(member(p.getKey(), value));
            needed.add(required.contains(p.getKey()));
        }
        for (String r : required) {
            if (names.contains(r)) continue;
            if (!extrasAllowed) return Expr.NOTHING; // required, undeclared and no additional properties: unsatisfiable
            names.add(r);
            members.add(member(r, extraValue));
            needed.add(true);
        }
        Expr extra = null;
        if (extrasAllowed) {
            List<Expr> keys = new ArrayList<>();
            for (String n : names) keys.add(Expr.literal("\"" + JsonSyntax.escape(n) + "\""));
            Expr key = keys.isEmpty() ? JsonSyntax.STRING : new Expr.Minus(JsonSyntax.STRING, Expr.alt(keys));
            extra = Expr.seq(key, JsonSyntax.WS, Expr.literal(":"), JsonSyntax.WS, extraValue);
        }
        Expr comma = Expr.seq(JsonSyntax.WS, Expr.literal(","), JsonSyntax.WS);
        // T(i): members i.. after at least one was written; S(i): members i.., none written yet (non-empty)
        Expr moreExtras = extra == null ? Expr.EMPTY : Expr.star(Expr.seq(comma, extra));
        Expr t = moreExtras;
        Expr first = extra == null ? Expr.NOTHING : Expr.seq(extra, moreExtras);
        for (int i = members.size() - 1; i >= 0; i--) {
            Expr withIt = Expr.seq(members.get(i), t);
            first = needed.get(i) ? withIt : Expr.alt(withIt, first);
            Expr afterComma = Expr.seq(comma, members.get(i), t);
            t = needed.get(i) ? afterComma : Expr.alt(afterComma, t);
        }
        Expr open = Expr.seq(Expr.literal("{"), JsonSyntax.WS);
        Expr close = Expr.literal("}");
        boolean canBeEmpty = !needed.contains(true);
        if (first.equals(Expr.NOTHING)) return canBeEmpty ? Expr.seq(open, close) : Expr.NOTHING;
        Expr body = Expr.seq(first, JsonSyntax.WS);
        return Expr.seq(open, canBeEmpty ? Expr.optional(body) : body, close);
    }

    private static Expr member(String name, Expr value) {
        return Expr.seq(Expr.literal("\"" + JsonSyntax.escape(name) + "\""), JsonSyntax.WS, Expr.literal(":"), JsonSyntax.WS, value);
    }
}
