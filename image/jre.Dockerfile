# The base of the registrar-only (sidecar) image: a Java 17 JRE and a non-root user, nothing else.
# Built by image/build-base.sh on top of the same debootstrapped bookworm as base.Dockerfile.
ARG ROOTFS_IMAGE=redis-registrar-debian:bookworm
FROM ${ROOTFS_IMAGE}

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin registrar

ENV LANG=C.UTF-8
