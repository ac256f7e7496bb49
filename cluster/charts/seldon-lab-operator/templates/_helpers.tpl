{{/*
SPDX-License-Identifier: Apache-2.0
Named templates the chart's files share: names, labels, images, and the operator's configuration.
*/}}

{{/* The release's full name: "seldon-lab-operator", or "<release>-seldon-lab-operator". */}}
{{- define "seldon-lab-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The labels every object carries (Kubernetes' recommended app.kubernetes.io/* set). */}}
{{- define "seldon-lab-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "seldon-lab-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: seldon-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels that pick the operator's pods: they must never change after the first install. */}}
{{- define "seldon-lab-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "seldon-lab-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "seldon-lab-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false: name the ServiceAccount the operator should run as" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "repository:tag" of one of .Values.images (call with a dict: root, image). */}}
{{- define "seldon-lab-operator.image" -}}
{{- $image := index .root.Values.images .image -}}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* Leader election is on when asked for, and always with more than one replica. */}}
{{- define "seldon-lab-operator.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicas) 1) -}}true{{- end -}}
{{- end -}}

{{/*
The operator's configuration file (the shape of cluster/operator-config.yaml): config from the
values, with every empty image filled in with the kit's model-server image, and the storage
initializer's quantities as strings (the operator accepts only quoted quantities such as "1").
*/}}
{{- define "seldon-lab-operator.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $kit := .Values.images.modelServer -}}
{{- $kitTag := default .Chart.AppVersion $kit.tag -}}
{{- range $implementation, $entry := $config.predictorServers -}}
{{- range $protocol, $server := $entry.protocols -}}
{{- if not $server.image -}}
{{- $_ := set $server "image" $kit.repository -}}
{{- $_ := set $server "defaultImageVersion" $kitTag -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $si := $config.storageInitializer -}}
{{- if not $si.image -}}
{{- $_ := set $si "image" (printf "%s:%s" $kit.repository $kitTag) -}}
{{- end -}}
{{- range $key := list "cpuRequest" "cpuLimit" "memoryRequest" "memoryLimit" -}}
{{- $_ := set $si $key (toString (index $si $key)) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
