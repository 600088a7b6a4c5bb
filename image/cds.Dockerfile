# Adds an AppCDS archive to an image Jib built (Jib cannot run a command at build time): the agent
# runs once here, inside the image, with the image's own JVM, jar and flags (those of its
# entrypoint, less the archive they name: JVM_FLAGS and JAR), for TRAIN_SECONDS against ports where
# nothing listens; the JVM writes the classes it loaded to /app/cds.jsa on exit. The image's
# entrypoint names /app/cds.jsa, so the archive is used from the first start, and without it (an
# image built by Jib alone) the JVM starts without one, silently. Built by image/train-cds.sh.
ARG IMAGE
FROM ${IMAGE}
ARG JVM_FLAGS
ARG JAR
ARG TRAINING_ARGS
ARG TRAIN_SECONDS=4
ARG RUN_USER
USER root
RUN set -e; \
    java $JVM_FLAGS -XX:ArchiveClassesAtExit=/app/cds.jsa -jar "$JAR" \
      $TRAINING_ARGS >/tmp/train.log 2>&1 & pid=$!; \
    sleep "$TRAIN_SECONDS"; kill -TERM "$pid"; wait "$pid" || true; \
    java $JVM_FLAGS -XX:SharedArchiveFile=/app/cds.jsa -Xshare:on -jar "$JAR" --version \
      || { cat /tmp/train.log; exit 1; }; \
    chmod 444 /app/cds.jsa; rm -f /tmp/train.log
USER ${RUN_USER}
