# syntax=docker/dockerfile:1
#
# modelwatch as a static binary (CGO_ENABLED=0, pure-Go SQLite) in a
# distroless image: no shell, no package manager, runs as non-root.
#
#   docker build -t modelwatch --build-arg VERSION=v0.1.0 .
#   docker run -p 8080:8080 -v modelwatch-data:/var/lib/modelwatch modelwatch
#
# deploy/docker-compose.yml builds it together with Prometheus, Alertmanager
# and Grafana.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/modelwatch ./cmd/modelwatch && \
    mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/modelwatch /modelwatch
# An empty data directory owned by the non-root user, so that a fresh volume
# mounted here is writable.
COPY --from=build --chown=65532:65532 /out/data /var/lib/modelwatch
USER 65532:65532
EXPOSE 8080
VOLUME ["/var/lib/modelwatch"]
ENTRYPOINT ["/modelwatch"]
CMD ["serve", "--addr=:8080", "--data-dir=/var/lib/modelwatch"]
