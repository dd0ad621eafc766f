{{/* Common labels: the Kubernetes recommended set, so dashboards and selectors agree. */}}
{{- define "tetris.labels" -}}
app.kubernetes.io/part-of: {{ .Chart.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The backend image: the chart-wide image.repository/image.tag that CI bumps, else backend.image. */}}
{{- define "tetris.backendImage" -}}
{{- $repo := .Values.image.repository | default .Values.backend.image.repository -}}
{{- $tag := .Values.image.tag | default .Values.backend.image.tag -}}
{{ printf "%s:%s" $repo (toString $tag) }}
{{- end -}}
