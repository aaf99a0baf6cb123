# handoff in a small image: a static musl build in rust:alpine, copied into alpine (a shell,
# so GitLab CI and `docker run --entrypoint sh` can script around it; the binary alone would
# run `FROM scratch` too).
#   docker build -t handoff .
#   docker run --rm -v "$PWD:/data" -w /data handoff audit sample-data/
# Not built from this repository's own CI (see docs/ci.md, "What was run where").

FROM rust:1-alpine AS build
# musl-dev: the C runtime for the C parts of the dependency tree (zstd, mimalloc, ring).
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock README.md ./
COPY src src
COPY examples examples
COPY tests tests
# The registry and the target directory are BuildKit caches: a rebuild after a source change
# does not compile polars again.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin handoff \
    && cp target/release/handoff /usr/local/bin/handoff \
    && /usr/local/bin/handoff --version

FROM alpine:3
COPY --from=build /usr/local/bin/handoff /usr/local/bin/handoff
RUN adduser -D -H handoff
USER handoff
WORKDIR /data
ENTRYPOINT ["handoff"]
CMD ["--help"]
