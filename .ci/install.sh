# Sourced by .ci/run (and usable by hand): puts Deno 2.9.6 from the npm registry on PATH.
DENO_VERSION=2.9.6
if ! command -v deno >/dev/null 2>&1 || ! deno --version | grep -q "deno $DENO_VERSION"; then
  npx -y "deno@$DENO_VERSION" --version >/dev/null
  # npx keeps one cache folder per package version: take the binary that is this version.
  for DENO_BIN in $(find "$HOME/.npm/_npx" -path "*@deno/linux-x64-glibc/deno" -type f); do
    "$DENO_BIN" --version | grep -q "deno $DENO_VERSION" && break
  done
  mkdir -p "$HOME/.local/bin"
  ln -sf "$DENO_BIN" "$HOME/.local/bin/deno"
  export PATH="$HOME/.local/bin:$PATH"
fi
deno --version | head -n 1
# The browser tests (tests/parity/, packages/ops/conv/kernels_webgl_test.ts) drive Debian's Chromium;
# the Fashion-MNIST loader reads Debian's dataset-fashion-mnist; the transfer-learning photos are
# Debian's tuxpaint-stamps-default.
if [ ! -x /usr/lib/chromium/chromium ] || [ ! -d /usr/share/datasets/fashion-mnist ] ||
  [ ! -d /usr/share/tuxpaint/stamps/animals ]; then
  echo "installing chromium, dataset-fashion-mnist and tuxpaint-stamps-default"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium dataset-fashion-mnist \
    tuxpaint-stamps-default >/dev/null
fi
