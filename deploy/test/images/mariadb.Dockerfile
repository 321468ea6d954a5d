# Debian's MariaDB 10.11 in place of mariadb:10.11 (see ../compose.override.yaml).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# The package creates a data folder of its own; the entrypoint creates one per volume instead.
RUN apt-get update && apt-get install -y --no-install-recommends mariadb-server \
    && rm -rf /var/lib/apt/lists/* /var/lib/mysql/* \
    && mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
COPY mariadb-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
COPY mariadb-healthcheck.sh /usr/local/bin/healthcheck.sh
VOLUME /var/lib/mysql
ENTRYPOINT ["docker-entrypoint.sh"]
