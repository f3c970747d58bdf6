{{/* The name of every object: the release name, with "pagoda" unless the release already says it. */}}
{{- define "pagoda.fullname" -}}
{{- if contains "pagoda" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-pagoda" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pagoda.selectorLabels" -}}
app.kubernetes.io/name: pagoda
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "pagoda.labels" -}}
{{ include "pagoda.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The PromQL both autoscalers and the dashboards read: requests waiting across this release's replicas. */}}
{{- define "pagoda.waitingQuery" -}}
sum(vllm:num_requests_waiting{namespace="{{ .Release.Namespace }}",service="{{ include "pagoda.fullname" . }}"})
{{- end -}}
