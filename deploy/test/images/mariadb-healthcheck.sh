#!/bin/sh
# Stands in for the public image's `healthcheck.sh --connect --innodb_initialized`: the server
# answers over TCP (the first start's setup server listens on a socket only). `ping` succeeds
# even when the login is refused: answering is what counts.
exec mariadb-admin --protocol=tcp -h 127.0.0.1 ping --silent
