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
# The browser tests bring their own Chromium (npm @sparticuz/chromium, unpacked on first use). apt is
# only for Debian's data sets: Fashion-MNIST and the Tux Paint stamp photos (transfer learning);
# their tests are skipped with a message when they are absent.
if [ ! -d /usr/share/datasets/fashion-mnist ] || [ ! -d /usr/share/tuxpaint/stamps ]; then
  echo "installing dataset-fashion-mnist and tuxpaint-stamps-default"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist tuxpaint-stamps-default >/dev/null
fi
