# Debian's NATS server (2.9) in place of nats:2.11-alpine (see ../compose.override.yaml); wget
# for the health check, as in the alpine image.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends nats-server wget \
    && rm -rf /var/lib/apt/lists/* && mkdir /data
VOLUME /data
CMD ["nats-server", "--jetstream", "--store_dir", "/data"]
