{{/* The objects' name: the release name when it holds the chart's name (default `gitmoor`), else release-chart. */}}
{{- define "gitmoor.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The labels of every object, the same as docker/install's. */}}
{{- define "gitmoor.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/part-of: gitmoor
{{- end -}}

{{- define "gitmoor.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
{{- end -}}

{{/* The rules of full access: the cluster flavour's ClusterRole and the namespaced flavour's Roles. */}}
{{- define "gitmoor.allRules" -}}
- apiGroups: ["*"]
  resources: ["*"]
  verbs: [get, list, watch, patch, create, update, delete]
{{- end -}}

{{/* A Grafana dashboard of monitoring/dashboards/ as a ConfigMap for Grafana's sidecar: dict root, name, file. */}}
{{- define "gitmoor.dashboard" -}}
{{- $values := .root.Values.dashboards }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  namespace: {{ $values.namespace | default .root.Release.Namespace }}
  labels:
    {{- include "gitmoor.labels" .root | nindent 4 }}
    grafana_dashboard: "1"
    {{- with $values.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $values.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
data:
  {{ .file }}: |-
    {{- .root.Files.Get (printf "monitoring/dashboards/%s" .file) | nindent 4 }}
{{- end -}}
