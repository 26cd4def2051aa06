{{/* Release-scoped name prefix, at most 63 characters with a service suffix. */}}
{{- define "pi.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "pi.labels" -}}
app.kubernetes.io/part-of: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of one component's objects: the common ones plus its name. */}}
{{- define "pi.componentLabels" -}}
{{ include "pi.labels" .root }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "name" "catalog"). */}}
{{- define "pi.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "pi.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .name (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{- define "pi.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-credentials" (include "pi.fullname" .)) -}}
{{- end -}}

{{/* In-network addresses of the backing services, external or in-cluster. */}}
{{- define "pi.databaseUrl" -}}
{{- $pg := .Values.postgresql -}}
{{- if $pg.inCluster.enabled -}}
{{- printf "postgres://%s:%s@%s-postgresql:5432/%s" $pg.inCluster.username $pg.inCluster.password (include "pi.fullname" .) $pg.inCluster.database -}}
{{- else -}}
{{- $pg.url -}}
{{- end -}}
{{- end -}}

{{- define "pi.natsUrl" -}}
{{- if .Values.nats.inCluster.enabled -}}
{{- printf "nats://%s-nats:4222" (include "pi.fullname" .) -}}
{{- else -}}
{{- .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{- define "pi.s3Endpoint" -}}
{{- if .Values.s3.inCluster.enabled -}}
{{- printf "http://%s-minio:9000" (include "pi.fullname" .) -}}
{{- else -}}
{{- .Values.s3.endpoint -}}
{{- end -}}
{{- end -}}

{{- define "pi.s3AccessKey" -}}
{{- ternary .Values.s3.inCluster.accessKey .Values.s3.accessKey .Values.s3.inCluster.enabled -}}
{{- end -}}

{{- define "pi.s3SecretKey" -}}
{{- ternary .Values.s3.inCluster.secretKey .Values.s3.secretKey .Values.s3.inCluster.enabled -}}
{{- end -}}

{{/* gRPC address of a service for the gateway. A service with headlessService (catalog) is
reached through its headless Service, so the client's DNS resolver sees every replica's address
and round-robins over them (a ClusterIP would pin each long-lived HTTP/2 connection to one pod). */}}
{{- define "pi.grpcTarget" -}}
{{- $svc := index .root.Values.services .name -}}
{{- if $svc.headlessService -}}
{{- printf "dns:///%s-%s-headless:%v" (include "pi.fullname" .root) .name $svc.grpcPort -}}
{{- else -}}
{{- printf "%s-%s:%v" (include "pi.fullname" .root) .name $svc.grpcPort -}}
{{- end -}}
{{- end -}}

{{/* Environment of a service's container: shared ConfigMap + Secret (the hook copies, with
suffix "-migrate", for migration Jobs), then its own ports and env. */}}
{{- define "pi.containerEnv" -}}
{{- $suffix := .suffix | default "" -}}
envFrom:
  - configMapRef:
      name: {{ include "pi.fullname" .root }}-config{{ $suffix }}
  - secretRef:
      name: {{ include "pi.secretName" .root }}{{ if not .root.Values.existingSecret }}{{ $suffix }}{{ end }}
env:
  - name: {{ ternary "PORT" "HTTP_PORT" (eq .name "gateway") }}
    value: {{ .svc.httpPort | quote }}
  - name: GRPC_PORT
    value: {{ .svc.grpcPort | quote }}
  {{- range $key, $value := .svc.env }}
  - name: {{ $key }}
    value: {{ $value | quote }}
  {{- end }}
{{- end -}}

{{/* sha256 of the rendered configuration, so pods roll when it changes. */}}
{{- define "pi.configChecksum" -}}
{{- include "pi.configObjects" (dict "root" . "suffix" "" "hook" false) | sha256sum -}}
{{- end -}}

{{/*
The shared ConfigMap and (unless existingSecret) the credentials Secret. Rendered twice: as
release objects for the services, and with a "-migrate" suffix as pre-install/pre-upgrade hooks
(weight -10) for the migration Jobs, which run before any release object exists.
*/}}
{{- define "pi.configObjects" -}}
{{- $root := .root -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "pi.fullname" $root }}-config{{ .suffix }}
  labels:
    {{- include "pi.labels" $root | nindent 4 }}
  {{- if .hook }}
  annotations:
    {{- include "pi.hookAnnotations" (dict "weight" "-10") | nindent 4 }}
  {{- end }}
data:
  NATS_URL: {{ include "pi.natsUrl" $root | quote }}
  NATS_PREFIX: {{ $root.Values.config.natsPrefix | quote }}
  LOG_LEVEL: {{ $root.Values.config.logLevel | quote }}
  SHUTDOWN_TIMEOUT_MS: {{ $root.Values.config.shutdownTimeoutMs | quote }}
  DATABASE_POOL_MAX: {{ $root.Values.config.databasePoolMax | quote }}
  MAX_UPLOAD_BYTES: {{ $root.Values.config.maxUploadBytes | int64 | quote }}
  S3_ENDPOINT: {{ include "pi.s3Endpoint" $root | quote }}
  S3_BUCKET: {{ $root.Values.s3.bucket | quote }}
  S3_REGION: {{ $root.Values.s3.region | quote }}
  HTTP_HOST: "0.0.0.0"
  INGEST_GRPC_URL: {{ include "pi.grpcTarget" (dict "root" $root "name" "ingest") | quote }}
  CATALOG_GRPC_URL: {{ include "pi.grpcTarget" (dict "root" $root "name" "catalog") | quote }}
  WEBHOOKS_GRPC_URL: {{ include "pi.grpcTarget" (dict "root" $root "name" "webhook-dispatcher") | quote }}
{{- if not $root.Values.existingSecret }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "pi.secretName" $root }}{{ .suffix }}
  labels:
    {{- include "pi.labels" $root | nindent 4 }}
  {{- if .hook }}
  annotations:
    {{- include "pi.hookAnnotations" (dict "weight" "-10") | nindent 4 }}
  {{- end }}
type: Opaque
stringData:
  DATABASE_URL: {{ include "pi.databaseUrl" $root | quote }}
  S3_ACCESS_KEY: {{ include "pi.s3AccessKey" $root | quote }}
  S3_SECRET_KEY: {{ include "pi.s3SecretKey" $root | quote }}
{{- end }}
{{- end -}}

{{- define "pi.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end -}}

{{/* A single-replica StatefulSet + Service for a development backing service. */}}
{{- define "pi.devBacking" -}}
{{- $selector := dict "root" .root "name" .name }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "pi.fullname" .root }}-{{ .name }}
  labels:
    {{- include "pi.componentLabels" $selector | nindent 4 }}
    app.kubernetes.io/component: dev-backing
spec:
  selector:
    {{- include "pi.selector" $selector | nindent 4 }}
  ports:
    - { name: main, port: {{ .port }}, targetPort: {{ .port }}, protocol: TCP }
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "pi.fullname" .root }}-{{ .name }}
  labels:
    {{- include "pi.componentLabels" $selector | nindent 4 }}
    app.kubernetes.io/component: dev-backing
spec:
  serviceName: {{ include "pi.fullname" .root }}-{{ .name }}
  replicas: 1
  selector:
    matchLabels:
      {{- include "pi.selector" $selector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "pi.componentLabels" $selector | nindent 8 }}
        app.kubernetes.io/component: dev-backing
    spec:
      containers:
        - name: {{ .name }}
          image: {{ .image }}
          {{- with .args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with .env }}
          env:
            {{- range $k, $v := . }}
            - { name: {{ $k }}, value: {{ $v | quote }} }
            {{- end }}
          {{- end }}
          ports:
            - { name: main, containerPort: {{ .port }} }
          readinessProbe:
            {{- toYaml .probe | nindent 12 }}
            periodSeconds: 5
          volumeMounts:
            - { name: data, mountPath: {{ .mountPath }} }
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: {{ .storage }}
{{- end -}}
