# liftline as one compiled binary. Build stage: the official Deno image compiles main.ts with the
# npm dependencies from deno.lock and the embedded sql/ and static/ files. Run stage: a small
# glibc base, a non-root user, and the data folder (queue.db, warehouse.db, keys) as a volume.
#   docker build -t liftline .
#   docker run --rm -p 8000:8000 -v liftline-data:/data liftline
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY main.ts ./
COPY src ./src
COPY sql ./sql
COPY static ./static
# The V8 flags and GLIBC_TUNABLES are the `start` task's (deno.json): see "Memory" in the README.
# --allow-ffi loads the embedded emulator's SQL engine (DuckDB's Node-API addon).
RUN deno compile --frozen --v8-flags=--max-semi-space-size=8,--heap-growing-percent=50 \
    --allow-net --allow-read --allow-write --allow-ffi --allow-env --allow-sys \
    --output /out/liftline main.ts

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/liftline /usr/local/bin/liftline
WORKDIR /data
VOLUME ["/data"]
ENV DATA_DIR=/data HOST=0.0.0.0 PORT=8000 \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576:glibc.malloc.trim_threshold=4194304:glibc.malloc.arena_max=2
EXPOSE 8000
USER nonroot
ENTRYPOINT ["/usr/local/bin/liftline"]
CMD ["run"]
