# Adds a trained class archive to an image Jib built (Jib cannot run a command at build time): the
# agent runs once here, inside the image, with the image's own JVM, jar and flags (those of its
# entrypoint, less the archive they name: JVM_FLAGS and JAR), for TRAIN_SECONDS with TRAINING_ARGS,
# against the sandbox of real servers image/train-cds.sh starts on the host (docker build --network
# host), so that it takes the path to the first record; on exit the JVM writes what it loaded to
# ARCHIVE (TRAIN_FLAG), and a start with CHECK_FLAGS must take it. Java 17 images: an AppCDS
# archive, /app/cds.jsa; Java 25 images (-Dimage.java=25): an AOT cache, /app/app.aot, which keeps
# the classes linked too. The image's entrypoint names the archive, so it is used from the first
# start, and without it (an image built by Jib alone) the JVM starts without one, silently.
ARG IMAGE
FROM ${IMAGE}
ARG JVM_FLAGS
ARG JAR
ARG TRAINING_ARGS
ARG TRAIN_SECONDS=5
# Given by image/train-cds.sh, from the archive the image's entrypoint names.
ARG ARCHIVE
ARG TRAIN_FLAG
ARG CHECK_FLAGS
ARG RUN_USER
USER root
RUN set -e; \
    java $JVM_FLAGS $TRAIN_FLAG -jar "$JAR" $TRAINING_ARGS >/tmp/train.log 2>&1 & pid=$!; \
    sleep "$TRAIN_SECONDS"; kill -TERM "$pid"; wait "$pid" || true; \
    java $JVM_FLAGS $CHECK_FLAGS -jar "$JAR" --version || { cat /tmp/train.log; exit 1; }; \
    chmod 444 "$ARCHIVE"; rm -f /tmp/train.log
USER ${RUN_USER}
