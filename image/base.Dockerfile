# The base Jib puts the agent on; built by image/build-base.sh on top of a debootstrapped Debian
# (bookworm, or trixie for -Dimage.java=25).
ARG ROOTFS_IMAGE=redis-registrar-debian:bookworm
FROM ${ROOTFS_IMAGE}
# The JRE package: openjdk-17-jre-headless on bookworm, openjdk-25-jre-headless on trixie.
ARG JRE=openjdk-17-jre-headless

# redis-server creates the redis user and /var/lib/redis (owned by it); the JRE runs the agent.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      redis-server "$JRE" \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*

ENV LANG=C.UTF-8
EXPOSE 6379
