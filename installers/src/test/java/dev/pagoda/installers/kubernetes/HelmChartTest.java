package dev.pagoda.installers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered by the real helm, parsed by fabric8, validated against the schemas. */
class HelmChartTest {

    @Test
    void theChartLintsClean() {
        var lint = KubernetesTools.helm("lint", KubernetesTools.CHART.toString(), "--strict");
        assertEquals(0, lint.exitCode(), lint.stdout() + lint.stderr());
    }

    @Test
    void theDefaultsRenderAGpuServerScaledByKedaOnTheQueue() {
        Deployed d = new Deployed(KubernetesTools.render());
        assertEquals(KubernetesTools.DEFAULT_KINDS, d.kinds());
        d.checkServer();
        d.checkKeda();
        d.checkServiceMonitor();
        assertEquals("1", d.gpuLimit().getAmount());
        assertEquals("pagoda-api-key", d.apiKey().getValueFrom().getSecretKeyRef().getName());
        assertEquals(d.one(PersistentVolumeClaim.class).getMetadata().getName(),
                d.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().getFirst().getPersistentVolumeClaim().getClaimName());
        assertEquals(null, d.one(Deployment.class).getSpec().getReplicas(), "the autoscaler owns the replica count");
        assertTrue(d.args().contains("--device=cuda"));
    }

    @Test
    void everyRenderedObjectMatchesItsSchema() {
        List<String> verdicts = KubernetesTools.validate(KubernetesTools.render());
        assertEquals(KubernetesTools.DEFAULT_KINDS.size(), verdicts.size(), verdicts::toString);
        verdicts.forEach(v -> assertTrue(v.endsWith(": valid"), v));
        List<String> hpa = KubernetesTools.validate(KubernetesTools.render(
                "--set", "autoscaling.keda.enabled=false", "--set", "autoscaling.hpa.enabled=true", "--set", "modelStorage.type=hostPath"));
        hpa.forEach(v -> assertTrue(v.endsWith(": valid"), v));
    }

    @Test
    void theValuesBecomeVllmFlagsReplicasAndLimits() {
        Deployed d = new Deployed(KubernetesTools.render(
                "--set", "model.path=/models/Qwen2.5-7B-Instruct", "--set", "model.servedName=qwen",
                "--set", "model.maxModelLen=8192", "--set", "model.gpuMemoryUtilization=0.85",
                "--set", "autoscaling.keda.enabled=false", "--set", "replicaCount=3",
                "--set", "serviceMonitor.enabled=false", "--set", "apiKey.existingSecret=my-key"));
        assertTrue(d.args().containsAll(List.of("--model=/models/Qwen2.5-7B-Instruct", "--served-model-name=qwen",
                "--max-model-len=8192", "--gpu-memory-utilization=0.85")), d.args()::toString);
        assertEquals(3, d.one(Deployment.class).getSpec().getReplicas());
        assertEquals("my-key", d.apiKey().getValueFrom().getSecretKeyRef().getName());
        d.checkServer();

        Deployed cpu = new Deployed(KubernetesTools.render("--set", "gpu.enabled=false", "--set", "modelStorage.type=hostPath"));
        assertEquals(null, cpu.gpuLimit());
        assertTrue(cpu.args().contains("--device=cpu"));
        assertTrue(cpu.one(Deployment.class).getSpec().getTemplate().getSpec().getTolerations().isEmpty(), "no GPU tolerations");
        assertEquals("/var/lib/pagoda/models", cpu.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().getFirst().getHostPath().getPath());
        cpu.checkServer();
    }

    @Test
    void whatPagodaCannotServeDoesNotRender() {
        var tp = KubernetesTools.helmTemplate("--set", "model.tensorParallelSize=2");
        assertNotEquals(0, tp.exitCode());
        assertTrue(tp.stderr().contains("one GPU per replica"), tp.stderr());
        var both = KubernetesTools.helmTemplate("--set", "autoscaling.hpa.enabled=true");
        assertNotEquals(0, both.exitCode());
        assertTrue(both.stderr().contains("not both"), both.stderr());
    }

    /** The HPA alternative reads the Pods metric that the shipped prometheus-adapter rule makes of the vLLM gauge. */
    @Test
    void theHpaAlternativeScalesOnTheMetricTheAdapterRuleServes() throws IOException {
        Deployed d = new Deployed(KubernetesTools.render("--set", "autoscaling.keda.enabled=false", "--set", "autoscaling.hpa.enabled=true"));
        HorizontalPodAutoscaler hpa = d.one(HorizontalPodAutoscaler.class);
        assertEquals(d.one(Deployment.class).getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        MetricSpec metric = hpa.getSpec().getMetrics().getFirst();
        assertEquals("Pods", metric.getType());

        Map<?, ?> adapter = new KubernetesSerialization().unmarshal(
                Files.readString(KubernetesTools.MODULE.resolve("helm/prometheus-adapter-values.yaml")), Map.class);
        Map<?, ?> rule = (Map<?, ?>) ((List<?>) ((Map<?, ?>) adapter.get("rules")).get("custom")).getFirst();
        assertTrue(((String) rule.get("seriesQuery")).startsWith("vllm:num_requests_waiting{"), rule.toString());
        assertEquals(((Map<?, ?>) rule.get("name")).get("as"), metric.getPods().getMetric().getName());
        assertTrue(d.kinds().contains("HorizontalPodAutoscaler") && !d.kinds().contains("ScaledObject"));
    }

    @Test
    void theChartDeploysTheImageOfThisBuild() throws IOException {
        String chart = Files.readString(KubernetesTools.CHART.resolve("Chart.yaml"));
        assertTrue(chart.contains("appVersion: \"" + System.getProperty("pagoda.version") + "\""),
                "Chart.yaml's appVersion is the project version " + System.getProperty("pagoda.version"));
    }
}
