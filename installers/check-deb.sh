#!/usr/bin/env bash
# Installs the built .deb on this machine and checks it as an operator would, then leaves the machine
# as it found it. Needs root (or sudo) and Debian's archive; run after
#   ./mvnw -pl installers -am package
# Checks: dpkg -i + apt-get install -f pull exactly what the package declares; every shared library
# that an ELF file of the installed tree needs then resolves (CUDA ones aside); the installed
# `pagoda --version` answers and `pagoda serve` (the default model, CPU, as the service's user with
# the unit's environment) answers /health, /v1/models and a completion over HTTP; the panel without
# a display says so in one line; the systemd unit passes systemd-analyze verify and the desktop entry
# desktop-file-validate; dpkg -r deletes every file the package installed (the conffile excepted,
# as dpkg does) and nothing of /opt/pagoda remains; dpkg -P removes the conffile, the pagoda user
# and /var/lib/pagoda. With pagoda-cuda_*.deb beside the .deb (-Pcuda), also that JavaCPP loads
# cudart from it. Packages installed on the way are purged again unless KEEP_DEPS=1.
#   installers/check-deb.sh [path/to/pagoda_VERSION_amd64.deb]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/deb/natives.sh"
deb=${1:-$(ls "$here"/target/pagoda_*_amd64.deb 2>/dev/null | head -1)}
[ -f "${deb:-}" ] || { echo "check-deb: no .deb; build it first: ./mvnw -pl installers -am package" >&2; exit 1; }
deb=$(readlink -f "$deb")
if [ "$(id -u)" != 0 ]; then exec sudo -E "$0" "$deb"; fi
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg run (on a shared machine) holds the lock for a while: wait for it, up to 10 minutes.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
dpkg_locked() {
  local i
  for i in $(seq 1 120); do
    if dpkg "$@" >/tmp/check-deb-dpkg.log 2>&1; then return 0; fi
    grep -q "lock" /tmp/check-deb-dpkg.log || return 1
    sleep 5
  done
  return 1
}
# A port nothing listens on yet (the machine may be shared with other servers).
port=${PAGODA_CHECK_PORT:-$(for p in $(seq 18200 18999); do ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; break; }; done)}
failures=0 checks=0
pass() { checks=$((checks + 1)); echo "check-deb: ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "check-deb: FAIL $*" >&2; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

if dpkg -s pagoda >/dev/null 2>&1; then echo "check-deb: pagoda is already installed here; remove it first" >&2; exit 1; fi
if getent passwd pagoda >/dev/null; then echo "check-deb: a user 'pagoda' exists already; this check would delete it" >&2; exit 1; fi
tools=()
command -v desktop-file-validate >/dev/null || tools+=(desktop-file-utils)
command -v systemd-analyze >/dev/null || tools+=(systemd)
command -v curl >/dev/null || tools+=(curl)
auto_before=$(apt-mark showauto | sort)
manual_before=$(apt-mark showmanual | sort)
apt_get update -q >/dev/null
if [ ${#tools[@]} -gt 0 ]; then apt_get install -y -q "${tools[@]}" >/dev/null; fi

server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  dpkg -P pagoda-cuda >/dev/null 2>&1 || true
  if dpkg -s pagoda >/dev/null 2>&1; then dpkg -P pagoda >/dev/null 2>&1 || true; fi
  if [ "${KEEP_DEPS:-0}" != 1 ]; then
    # What this check installed: new manual packages (the tools) and new automatic ones (pagoda's dependencies).
    local added
    added=$( (comm -13 <(echo "$manual_before") <(apt-mark showmanual | sort); comm -13 <(echo "$auto_before") <(apt-mark showauto | sort)) | xargs)
    if [ -n "$added" ]; then apt_get purge -y -q $added >/dev/null 2>&1 || true; fi
  fi
}
trap cleanup EXIT

echo "check-deb: installing $deb"
dpkg_locked -i "$deb" || true   # on a machine without GTK 3 dpkg stops at the dependencies
apt_get install -f -y -q >/tmp/check-deb-apt.log 2>&1 || { cat /tmp/check-deb-apt.log >&2; exit 1; }
check "dpkg -i + apt-get install -f: pagoda is installed" test "$(dpkg-query -W -f='${Status}' pagoda)" = "install ok installed"
check "the Depends name GTK 3 and nothing GPU-specific" \
  bash -c 'd=$(dpkg-query -W -f="\${Depends}" pagoda); [[ $d == *libgtk-3-0* ]] && ! grep -qiE "cuda|nvidia" <<<"$d"'

# Every library the installed ELF files (jar natives included) need is found by the dynamic linker.
natives=$(mktemp -d)
unpack_jar_natives /opt/pagoda/lib/app "$natives"
missing=$(elf_files /opt/pagoda "$natives" | while read -r f; do
  LD_LIBRARY_PATH=$(dirname "$f"):/opt/pagoda/lib/runtime/lib:/opt/pagoda/lib/runtime/lib/server ldd "$f" 2>/dev/null \
    | sed -n 's/^\s*\(\S*\) => not found/\1/p' | while read -r lib; do is_gpu_soname "$lib" || echo "$lib (needed by ${f##*/})"; done
done | sort -u)
rm -rf "$natives"
check "every non-CUDA shared library resolves after install${missing:+: missing $missing}" test -z "$missing"

version=$(/usr/bin/pagoda --version 2>/dev/null | head -1)
check "pagoda --version answers ($version)" test "$version" = "pagoda $(dpkg-query -W -f='${Version}' pagoda | tr '~' '-')"
check "systemd-analyze verify pagoda.service" systemd-analyze verify /usr/lib/systemd/system/pagoda.service
check "desktop-file-validate pagoda.desktop" desktop-file-validate /usr/share/applications/pagoda.desktop
check "the service user and its state folder exist" bash -c 'getent passwd pagoda >/dev/null && [ "$(stat -c %U /var/lib/pagoda)" = pagoda ]'

panel=$(env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/pagoda-panel 2>&1 >/dev/null | grep -v '^WARNING: Using incubator'; echo "rc=${PIPESTATUS[0]}")
check "the panel without a display: one line and status 1" \
  bash -c '[ "$(wc -l <<<"$1")" = 2 ] && grep -q "needs a graphical display" <<<"$1" && grep -qx "rc=1" <<<"$1"' _ "$panel"

# The server as the unit runs it: the pagoda user, the unit's Environment= and /etc/default/pagoda.
echo "check-deb: starting pagoda serve on port $port"
env_args=$(sed -n 's/^Environment=//p' /usr/lib/systemd/system/pagoda.service)
runuser -u pagoda -- env $env_args bash -c 'set -a; . /etc/default/pagoda; exec /opt/pagoda/bin/pagoda serve --host 127.0.0.1 --port "$1"' _ "$port" \
  >/tmp/check-deb-serve.log 2>&1 &
server=$!
up=
for _ in $(seq 1 90); do
  if grep -q "listening on port $port" /tmp/check-deb-serve.log && curl -sf -o /dev/null "http://127.0.0.1:$port/health"; then up=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 2
done
check "pagoda serve answers GET /health" test -n "$up"
models=$(curl -sf "http://127.0.0.1:$port/v1/models" || true)
check "GET /v1/models lists the default model" grep -q '"id":"pagoda-default"' <<<"$models"
completion=$(curl -sf "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' \
  -d '{"model":"pagoda-default","prompt":"Hello","max_tokens":4}' || true)
check "POST /v1/completions returns 4 tokens" grep -q '"completion_tokens":4' <<<"$completion"
check "the default model was written under /var/lib/pagoda" bash -c 'ls -d /var/lib/pagoda/models/pagoda-default-* >/dev/null'
kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=
if [ -z "$up" ]; then tail -20 /tmp/check-deb-serve.log >&2; fi

# The optional CUDA part, where it was built (-Pcuda) beside the .deb: its cudart must be the one JavaCPP
# loads (before any CUDA install on the machine); without a GPU the server then stops, saying why.
cuda_deb=$(ls "$(dirname "$deb")"/pagoda-cuda_*_amd64.deb 2>/dev/null | head -1 || true)
if [ -n "$cuda_deb" ]; then
  dpkg_locked -i "$cuda_deb" || cat /tmp/check-deb-dpkg.log >&2
  cuda_log=$(runuser -u pagoda -- env $env_args JAVA_TOOL_OPTIONS=-Dorg.bytedeco.javacpp.logger.debug=true \
    timeout 120 /opt/pagoda/bin/pagoda serve --device cuda --host 127.0.0.1 --port "$port" 2>&1 || true)
  check "pagoda-cuda: JavaCPP loads cudart from pagoda-cuda-runtime.jar" \
    grep -q 'Loading .*pagoda-cuda-runtime.jar/org/bytedeco/cuda/linux-x86_64/libcudart.so.13' <<<"$cuda_log"
  dpkg_locked -P pagoda-cuda
  check "dpkg -P pagoda-cuda removes its jar" test ! -e /opt/pagoda/lib/app/pagoda-cuda-runtime.jar
fi

files=$(dpkg -L pagoda)
conffiles=$(dpkg-query -W -f='${Conffiles}' pagoda | awk '{print $1}')
dpkg_locked -r pagoda
left=$(while read -r f; do if [ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; }; then echo "$f"; fi; done <<<"$files")
check "dpkg -r deletes every installed file but the conffile (left: $(echo $left))" test "$left" = "$conffiles"
check "dpkg -r leaves nothing of /opt/pagoda, /usr/bin/pagoda or the unit" \
  bash -c '! [ -e /opt/pagoda ] && ! [ -e /usr/bin/pagoda ] && ! [ -e /usr/lib/systemd/system/pagoda.service ]'
dpkg_locked -P pagoda
check "dpkg -P removes the conffile, /var/lib/pagoda and the pagoda user" \
  bash -c '! [ -e /etc/default/pagoda ] && ! [ -e /var/lib/pagoda ] && ! getent passwd pagoda >/dev/null && ! getent group pagoda >/dev/null'

echo "check-deb: $((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
