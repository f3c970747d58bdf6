package dev.pagoda.installers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A set of rendered or committed Kubernetes objects, and the checks every Pagoda deployment must pass
 * whichever way it was written: the chart rendered with any values, and the plain manifests.
 */
record Deployed(List<HasMetadata> objects) {

    Set<String> kinds() {
        return objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    }

    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), () -> "one " + type.getSimpleName() + " in " + kinds());
        return found.getFirst();
    }

    GenericKubernetesResource custom(String kind) {
        List<GenericKubernetesResource> found = objects.stream()
                .filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind))
                .map(GenericKubernetesResource.class::cast).toList();
        assertEquals(1, found.size(), () -> "one " + kind + " in " + kinds());
        return found.getFirst();
    }

    Container container() {
        return one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    List<String> args() {
        return container().getArgs();
    }

    /** The checks of the issue: GPU limits, the model volume, probes on /health with minutes to start, the key from a Secret. */
    void checkServer() {
        Deployment deployment = one(Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container c = container();
        assertEquals(8000, c.getPorts().getFirst().getContainerPort());
        assertEquals("http", c.getPorts().getFirst().getName());
        for (Probe probe : List.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())) {
            assertNotNull(probe, "startup, readiness and liveness probes");
            assertEquals("/health", probe.getHttpGet().getPath());
            assertEquals("http", probe.getHttpGet().getPort().getStrVal());
        }
        Probe startup = c.getStartupProbe();
        assertTrue(startup.getPeriodSeconds() * startup.getFailureThreshold() >= 600,
                "a model may take ten minutes and more to load before liveness applies");
        Volume models = pod.getVolumes().stream().filter(v -> v.getName().equals("models")).findFirst().orElseThrow();
        assertTrue(models.getPersistentVolumeClaim() != null || models.getHostPath() != null, "models from a PVC or a hostPath");
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("models") && m.getMountPath().equals("/models")));
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(8000, one(Service.class).getSpec().getPorts().getFirst().getPort());
        assertEquals(deployment.getSpec().getSelector().getMatchLabels(), one(Service.class).getSpec().getSelector(),
                "the Service selects the Deployment's pods");
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(one(Service.class).getSpec().getSelector().entrySet()));
    }

    Quantity gpuLimit() {
        return container().getResources().getLimits().get("nvidia.com/gpu");
    }

    EnvVar apiKey() {
        return container().getEnv().stream().filter(e -> e.getName().equals("VLLM_API_KEY")).findFirst().orElseThrow();
    }

    /** KEDA scales the Deployment on the Prometheus query of vLLM's queue-depth metric for this Service. */
    void checkKeda() {
        GenericKubernetesResource scaled = custom("ScaledObject");
        Map<String, Object> spec = map(scaled.getAdditionalProperties().get("spec"));
        assertEquals(one(Deployment.class).getMetadata().getName(), map(spec.get("scaleTargetRef")).get("name"));
        Map<String, Object> trigger = map(((List<?>) spec.get("triggers")).getFirst());
        assertEquals("prometheus", trigger.get("type"));
        String query = (String) map(trigger.get("metadata")).get("query");
        assertTrue(query.contains("vllm:num_requests_waiting"), query);
        assertTrue(query.contains("service=\"" + one(Service.class).getMetadata().getName() + "\""), query);
        assertFalse(objects.stream().anyMatch(o -> o instanceof HorizontalPodAutoscaler), "KEDA makes its own HPA");
    }

    /** The ServiceMonitor scrapes /metrics on the Service's named port. */
    void checkServiceMonitor() {
        Map<String, Object> spec = map(custom("ServiceMonitor").getAdditionalProperties().get("spec"));
        assertEquals(one(Service.class).getSpec().getSelector(), map(spec.get("selector")).get("matchLabels"));
        Map<String, Object> endpoint = map(((List<?>) spec.get("endpoints")).getFirst());
        assertEquals("http", endpoint.get("port"));
        assertEquals("/metrics", endpoint.get("path"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
