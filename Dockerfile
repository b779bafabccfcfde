# Webrunner in a container.
#
#   docker build -t webrunner .
#   docker run --rm -p 8080:8080 -v webrunner:/workspace -e WEBRUNNER_PASSWORD=… webrunner
#
# Without WEBRUNNER_PASSWORD a password is generated on the first start and
# printed once in the container's log (docker logs).

# Build stage: the official Go image (Debian) has gcc for go-sqlite3 (cgo).
# The templ code and the editor bundle are committed, so no Node is needed.
FROM golang:1.26-trixie AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/webrunner ./cmd/webrunner

# Runtime stage: Debian with what building and running the sample needs:
# the Go toolchain (the sample compiles a small Go program), python3, gzip,
# a shell; curl for the health check.
FROM debian:trixie-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl python3 gzip procps \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/go /usr/local/go
COPY --from=build /out/webrunner /usr/local/bin/webrunner
ENV PATH=/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local

RUN useradd --create-home --uid 10001 --shell /bin/sh webrunner \
 && mkdir /workspace \
 && chown webrunner:webrunner /workspace
USER webrunner
WORKDIR /home/webrunner
VOLUME ["/workspace"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["webrunner", "serve", "--addr", "0.0.0.0:8080", "--workspace", "/workspace"]
