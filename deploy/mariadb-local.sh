#!/usr/bin/env bash
# A private MariaDB server for ferry's tests and quickstart.
#
#   deploy/mariadb-local.sh start    initialise (first time) and start; a no-op when running
#   deploy/mariadb-local.sh stop     shut down cleanly and wait
#   deploy/mariadb-local.sh status   say whether it runs (exit 0) or not (exit 3)
#   deploy/mariadb-local.sh env      print the FERRY_MYSQL_* variables: eval "$(deploy/mariadb-local.sh env)"
#
# Data, socket, pid file and log live under var/mariadb/ (or $FERRY_MARIADB_DIR).
# It listens on 127.0.0.1:$FERRY_MYSQL_PORT (default 3307) and on its own socket.
# Database `ferry` and user `ferry` are created at first start; the user's
# password is generated then and kept in var/mariadb/ferry.password (mode 600).
# The user may also create databases named ferry_* (tests make their own).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${FERRY_MARIADB_DIR:-$repo/var/mariadb}
port=${FERRY_MYSQL_PORT:-3307}
datadir=$dir/data
socket=$dir/mysqld.sock
pidfile=$dir/mysqld.pid
log=$dir/mysqld.log
password_file=$dir/ferry.password
root_password_file=$dir/root.password

say() { echo "mariadb-local: $*"; }
die() { echo "mariadb-local: $*" >&2; exit 1; }

find_binary() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    if [[ -x /usr/sbin/$name ]]; then echo "/usr/sbin/$name"; return 0; fi
  done
  return 1
}

server=$(find_binary mariadbd mysqld) || die "no mariadbd found: run deploy/install-deps.sh"
install_db=$(find_binary mariadb-install-db mysql_install_db) || die "no mariadb-install-db: run deploy/install-deps.sh"
admin=$(find_binary mariadb-admin mysqladmin) || die "no mariadb-admin: run deploy/install-deps.sh"
client=$(find_binary mariadb mysql) || die "no mariadb client: run deploy/install-deps.sh"

user_args=()
[[ $(id -u) -eq 0 ]] && user_args=(--user=root)

running() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

root_sql() {
  "$client" --no-defaults --protocol=socket --socket="$socket" -uroot \
    --password="$(cat "$root_password_file")" --batch --skip-column-names "$@"
}

new_password() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 24; }

initialise() {
  say "initialising a new data directory in $datadir"
  mkdir -p "$datadir"
  chmod 700 "$dir"
  if ! "$install_db" --no-defaults --datadir="$datadir" "${user_args[@]}" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
    tail -n 30 "$dir/install.log" >&2
    die "mariadb-install-db failed (log: $dir/install.log)"
  fi
  (umask 077; new_password >"$password_file"; new_password >"$root_password_file")
}

start_server() {
  : >"$log"
  "$server" --no-defaults --datadir="$datadir" "${user_args[@]}" \
    --bind-address=127.0.0.1 --port="$port" --socket="$socket" --pid-file="$pidfile" \
    --log-error="$log" --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=256M \
    --max-connections=300 --max-allowed-packet=64M --local-infile=1 \
    --skip-log-bin </dev/null >/dev/null 2>&1 &
  local waited=0
  until "$admin" --no-defaults --protocol=socket --socket="$socket" -uroot \
      --password="$(cat "$root_password_file")" --connect-timeout=2 ping >/dev/null 2>&1 \
    || "$admin" --no-defaults --protocol=socket --socket="$socket" -uroot --password= \
      --connect-timeout=2 ping >/dev/null 2>&1; do
    if (( waited >= 60 )) || ! kill -0 $! 2>/dev/null; then
      echo "mariadb-local: the server did not start; the end of $log:" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.5; waited=$((waited + 1))
  done
}

bootstrap() {
  local password root_password
  password=$(cat "$password_file")
  root_password=$(cat "$root_password_file")
  # A fresh data directory has root without a password; set it once.
  if "$client" --no-defaults --protocol=socket --socket="$socket" -uroot --password= -e 'SELECT 1' >/dev/null 2>&1; then
    "$client" --no-defaults --protocol=socket --socket="$socket" -uroot --password= \
      -e "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password'; FLUSH PRIVILEGES;"
  fi
  root_sql <<SQL
CREATE DATABASE IF NOT EXISTS ferry CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ferry'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS 'ferry'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`ferry\`.* TO 'ferry'@'127.0.0.1', 'ferry'@'localhost';
GRANT ALL PRIVILEGES ON \`ferry\\_%\`.* TO 'ferry'@'127.0.0.1', 'ferry'@'localhost';
FLUSH PRIVILEGES;
SQL
}

cmd_start() {
  if running; then say "already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return 0; fi
  [[ -d $datadir/mysql ]] || initialise
  say "starting on 127.0.0.1:$port (data: $datadir, log: $log)"
  start_server
  bootstrap
  say "ready: database ferry, user ferry (password in $password_file)"
}

cmd_stop() {
  if ! running; then say "not running"; return 0; fi
  local pid
  pid=$(cat "$pidfile")
  say "stopping (pid $pid)"
  "$admin" --no-defaults --protocol=socket --socket="$socket" -uroot \
    --password="$(cat "$root_password_file")" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= 120 )); then die "pid $pid did not stop within 60 s; see $log"; fi
    sleep 0.5; waited=$((waited + 1))
  done
  say "stopped"
}

cmd_status() {
  if running; then say "running on 127.0.0.1:$port (pid $(cat "$pidfile"), data: $datadir)"; return 0; fi
  say "not running"; return 3
}

cmd_env() {
  [[ -f $password_file ]] || die "not initialised yet: run '$0 start' first"
  cat <<ENV
export FERRY_MYSQL_HOST=127.0.0.1
export FERRY_MYSQL_PORT=$port
export FERRY_MYSQL_SOCKET=$socket
export FERRY_MYSQL_USER=ferry
export FERRY_MYSQL_PASSWORD=$(cat "$password_file")
export FERRY_MYSQL_DATABASE=ferry
export FERRY_MYSQL_ROOT_PASSWORD=$(cat "$root_password_file")
ENV
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
