# Shared by gateway-bench.sh, hops.sh and memory.sh (sourced, not run): the nginx mock and the linear router the
# benchmark fleet (fleet.conf) routes with. Expects TOOLS (this directory) and SW (the switchyard launcher).

# start_mock RUN_DIR PORT: the nginx mock of nginx.conf.in on 127.0.0.1:PORT, its pid in RUN_DIR/nginx.pid
start_mock() {
  command -v nginx >/dev/null || { echo "$(basename "$0"): nginx is needed (apt-get install nginx-light)" >&2; exit 2; }
  mkdir -p "$1/client-body" "$1/proxy" "$1/fastcgi" "$1/uwsgi" "$1/scgi"
  sed -e "s|@DIR@|$1|g" -e "s|@PORT@|$2|g" "$TOOLS/nginx.conf.in" > "$1/nginx.conf"
  nginx -c "$1/nginx.conf"
}

# train_linear DATA OUT_JSON LOG: the routellm-classifier artifact of fleet.conf's bench/linear pipeline
train_linear() {
  [ -f "$1" ] || { echo "$(basename "$0"): no recording at $1 to train the linear router on (set DATA)" >&2; exit 2; }
  "$SW" train --data "$1" --strategy routellm-classifier --models llama3.1-8b,gpt-4o --out "$2" > "$3"
}

# stop_node_and_mock: the EXIT trap of a script that runs one node (its pid in SERVE) beside the mock of RUN
stop_node_and_mock() {
  [ -n "${SERVE:-}" ] && kill "$SERVE" 2>/dev/null || true
  [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
}
