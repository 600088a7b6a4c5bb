# The base of the registrar-only (sidecar) image: a JRE and a non-root user, nothing else.
# Built by image/build-base.sh on top of the same debootstrapped Debian as base.Dockerfile.
ARG ROOTFS_IMAGE=redis-registrar-debian:bookworm
FROM ${ROOTFS_IMAGE}
# The JRE package: openjdk-17-jre-headless on bookworm, openjdk-25-jre-headless on trixie.
ARG JRE=openjdk-17-jre-headless

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$JRE" \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin registrar

ENV LANG=C.UTF-8
