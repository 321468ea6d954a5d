#!/bin/sh
# What compose.yaml uses of the public image's entrypoint: on an empty data folder, create the
# system tables, MARIADB_DATABASE, MARIADB_USER (password MARIADB_PASSWORD) and root's
# MARIADB_ROOT_PASSWORD, on a server nothing can reach over TCP; then serve, with the options
# given as the command.
set -eu
if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
        --auth-root-authentication-method=normal >/dev/null
    socket=/run/mysqld/init.sock
    mariadbd --user=mysql --skip-networking --socket="$socket" "$@" &
    until mariadb-admin --socket="$socket" ping --silent 2>/dev/null; do sleep 0.2; done
    mariadb --socket="$socket" <<SQL
CREATE DATABASE \`$MARIADB_DATABASE\`;
CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';
ALTER USER 'root'@'localhost' IDENTIFIED BY '$MARIADB_ROOT_PASSWORD';
SQL
    mariadb-admin --socket="$socket" -uroot -p"$MARIADB_ROOT_PASSWORD" shutdown
    wait
fi
exec mariadbd --user=mysql --bind-address=0.0.0.0 "$@"
