#!/usr/bin/env bash
# Captures README's pictures of `synq watch` from a real run (root, after `npm run build`):
# in a network namespace of its own, a listener that never accepts (127.0.0.1:8080, backlog 4)
# is flooded by clients that keep connecting, beside an idle one (0.0.0.0:443), while
# `synq watch --netns` (tracer on) runs in a 100x30 terminal.
#
#   scripts/capture-watch-screenshot.sh text [OUT]   tmux capture-pane (default: stdout)
#   scripts/capture-watch-screenshot.sh png [OUT]    xterm under Xvfb, ImageMagick's
#                                                    `import -window root` (default docs/watch.png)
#
# Needs ip, ss, python3, tmux (text) or Xvfb, xterm, xwininfo and ImageMagick (png).
set -euo pipefail

mode=${1:-}
case "$mode" in
  text) out=${2:-/dev/stdout} ;;
  png) out=${2:-docs/watch.png} ;;
  *)
    echo "usage: $0 text|png [OUT]" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."
synq=(node "$PWD/bin/run.js" watch --netns synq-watch-demo)
ns=synq-watch-demo
display=:${SYNQ_DEMO_DISPLAY:-97}
tmux_server=synq-watch-demo
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ "$mode" = text ] && tmux -L "$tmux_server" kill-server 2>/dev/null || true
  # Let synq detach its programs before the namespace goes.
  sleep 1
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up

# The listeners: never accept(); they stay open until killed.
ip netns exec "$ns" python3 -c '
import signal, socket
held = []
for addr, port, backlog in (("127.0.0.1", 8080, 4), ("0.0.0.0", 443, 511)):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    held.append(s)
signal.pause()
' &
pids+=($!)
until ip netns exec "$ns" ss -Hltn 'sport = :8080' | grep -q LISTEN; do sleep 0.1; done

env=(TERM=xterm-256color LANG=C.UTF-8 NCURSES_NO_UTF8_ACS=1)
if [ "$mode" = text ]; then
  tmux -L "$tmux_server" -f /dev/null new-session -d -s demo -x 100 -y 30 \
    "env ${env[*]} ${synq[*]}; sleep 600"
else
  Xvfb "$display" -screen 0 1280x800x24 -br -nolisten tcp &
  pids+=($!)
  until xdpyinfo -display "$display" >/dev/null 2>&1; do sleep 0.1; done
  DISPLAY=$display xterm -geometry 100x30+0+0 -fa 'DejaVu Sans Mono' -fs 10 -bg '#1e1e1e' \
    -fg '#d0d0d0' -bw 0 -e env "${env[@]}" "${synq[@]}" &
  pids+=($!)
fi
# The tracer attached before the flood starts: its drops are live events.
sleep 6

# The flood: a new client every 50 ms, each given up after 3 s.
ip netns exec "$ns" python3 -c '
import collections, socket, time
open_ = collections.deque()
while True:
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    c.connect_ex(("127.0.0.1", 8080))
    open_.append((time.monotonic(), c))
    while open_ and time.monotonic() - open_[0][0] > 3:
        open_.popleft()[1].close()
    time.sleep(0.05)
' &
pids+=($!)
sleep 15

if [ "$mode" = text ]; then
  tmux -L "$tmux_server" capture-pane -p -t demo | sed -e 's/[[:space:]]*$//' >"$out"
else
  # The xterm's size (the dashboard may retitle it; its class stays XTerm).
  xterm_id=$(xwininfo -display "$display" -root -tree | awk '/"XTerm"\)/ {print $1; exit}')
  geometry=$(xwininfo -display "$display" -id "$xterm_id" |
    awk '/Width:/ {w=$2} /Height:/ {h=$2} END {print w "x" h "+0+0"}')
  mkdir -p "$(dirname "$out")"
  import -display "$display" -window root -crop "$geometry" +repage "$out"
  # Few colours on a terminal: a palette PNG is a fraction of the size.
  convert "$out" -strip -colors 64 -define png:compression-level=9 "PNG8:$out"
fi
