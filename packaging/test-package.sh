#!/usr/bin/env bash
# Builds the Debian package from a build folder, installs it, uses the installed binaries (CLI
# version, a tiny training run, the GUI started offscreen and quit), removes it and checks that
# nothing is left behind. Needs root (or sudo without a password); exits 77 (skipped) otherwise.
# usage: packaging/test-package.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
src="$(cd "$(dirname "$0")/.." && pwd)"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "SKIP: installing a package needs root or password-less sudo"; exit 77; fi
fi
if dpkg-query -W -f='${Status}' adapterlab 2>/dev/null | grep -q "ok installed"; then
  echo "SKIP: adapterlab is installed on this machine already; not touching it"; exit 77
fi

work="$(mktemp -d)"
cleanup() {
  if dpkg-query -W -f='${Status}' adapterlab 2>/dev/null | grep -q "ok installed"; then
    $SUDO dpkg --purge adapterlab >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The package, with the runtime dependencies dpkg-shlibdeps computed.
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB"; }
deb="$(ls "$work"/pkg/adapterlab_*.deb)"
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for lib in libtorch libsqlite3 libqt6widgets6 libqt6svg6 libqcustomplot libicu libsentencepiece; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for f in ./usr/bin/adapterlab ./usr/bin/adapterlab-cli \
         ./usr/share/applications/io.github.adapterlab.adapterlab.desktop \
         ./usr/share/metainfo/io.github.adapterlab.adapterlab.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/adapterlab.svg \
         ./usr/share/icons/hicolor/48x48/apps/adapterlab.png \
         ./usr/share/icons/hicolor/256x256/apps/adapterlab.png \
         ./usr/share/man/man1/adapterlab-cli.1.gz ./usr/share/man/man1/adapterlab.1.gz \
         ./usr/share/adapterlab/guide/README.md ./usr/share/doc/adapterlab/copyright; do
  grep -qx "$f" <<<"$contents" || fail "the package lacks $f"
done
# XLM-R's SentencePiece module (dlopen'ed by the engine, see core/text/spm_module.cpp).
module="$(grep -E '^\./usr/lib/(.*/)?adapterlab/libadapterlab-sentencepiece\.so$' <<<"$contents")" ||
  fail "the package lacks libadapterlab-sentencepiece.so"

# 2. Install; remember what /usr, /etc and /opt held before.
snapshot() { find /usr /etc /opt -xdev 2>/dev/null | grep -v -E '\.cache$|/mimeinfo\.cache$' | sort; }
snapshot >"$work/before"
$SUDO dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }

# 3. The installed files are valid and the binaries work.
desktop-file-validate /usr/share/applications/io.github.adapterlab.adapterlab.desktop ||
  fail "desktop-file-validate"
appstreamcli validate --no-net /usr/share/metainfo/io.github.adapterlab.adapterlab.metainfo.xml ||
  fail "appstreamcli validate"
for page in adapterlab-cli adapterlab; do
  warnings="$(man --warnings -l "/usr/share/man/man1/$page.1.gz" 2>&1 >/dev/null)"
  [ -z "$warnings" ] || fail "man page $page: $warnings"
done
# Every CLI command is in its man page.
commands="$(/usr/bin/adapterlab-cli --help | sed -n '/^Subcommands:/,$p' | awk 'NR>1 && NF {print $1}')"
[ -n "$commands" ] || fail "no commands in adapterlab-cli --help"
for c in $commands; do
  zcat /usr/share/man/man1/adapterlab-cli.1.gz | grep -q "^\.B $c\$" || fail "man page lacks command $c"
done
/usr/bin/adapterlab-cli --version | grep -q "adapterlab-cli" || fail "adapterlab-cli --version"

# A tiny training run from the installed binary: a 14-word vocabulary, 40 one-line examples.
cd "$work"
printf '%s\n' '[PAD]' '[UNK]' '[CLS]' '[SEP]' '[MASK]' good bad film plot great awful the was it >vocab.txt
for i in $(seq 1 20); do echo "pos the film was good"; echo "neg the plot was awful"; done >task.txt
/usr/bin/adapterlab-cli init-backbone --out bb --vocab vocab.txt --hidden 16 --layers 1 --heads 2 \
  --ffn 32 --positions 32 >/dev/null || fail "init-backbone"
/usr/bin/adapterlab-cli train --db lab.alab --task lines:task.txt --backbone bb --method adapter \
  --adapter-size 4 --epochs 1 --batch-size 8 --max-length 16 --lr 1e-3 --device cpu --threads 1 \
  --json >train.json || fail "training run"
grep -q '"status":"finished"' <(tr -d ' \n' <train.json) || { cat train.json; fail "run not finished"; }
/usr/bin/adapterlab-cli train --db lab.alab --task lines:task.txt --backbone bb --method lora \
  --lora-rank 2 --epochs 1 --batch-size 8 --max-length 16 --lr 1e-3 --device cpu --threads 1 \
  --json >lora.json || fail "LoRA run"
grep -q '"status":"finished"' <(tr -d ' \n' <lora.json) || { cat lora.json; fail "LoRA run not finished"; }

# An XLM-R tokenizer through the installed module (a SentencePiece model trained here).
if command -v spm_train >/dev/null; then
  mkdir -p xlmr
  printf 'a small corpus of words\nwords of a corpus\n' >corpus.txt
  spm_train --input=corpus.txt --model_prefix=xlmr/sp --vocab_size=20 --hard_vocab_limit=false \
    --minloglevel=2 >/dev/null 2>&1 || fail "spm_train"
  mv xlmr/sp.model xlmr/sentencepiece.bpe.model
  [ -f "${module#.}" ] || fail "the module is not at ${module#.}"
  ids="$(echo "a corpus" | /usr/bin/adapterlab-cli tokenize --model xlmr)" || fail "tokenize --model (SentencePiece)"
  grep -q '"input_ids":\[0,' <<<"$ids" || fail "SentencePiece ids: $ids"
fi

# The GUI starts offscreen (in a scratch home) and quits by itself.
mkdir -p home
HOME="$work/home" XDG_RUNTIME_DIR="$work/home" QT_QPA_PLATFORM=offscreen \
  timeout 60 /usr/bin/adapterlab --quit-after 500 >gui.log 2>&1 || { cat gui.log; fail "GUI start"; }
# The trade-off figure of those runs, headless.
HOME="$work/home" XDG_RUNTIME_DIR="$work/home" QT_QPA_PLATFORM=offscreen \
  timeout 60 /usr/bin/adapterlab --export-tradeoff "$work/tradeoff.png" lab.alab >gui.log 2>&1 ||
  { cat gui.log; fail "GUI --export-tradeoff"; }
[ "$(head -c 8 "$work/tradeoff.png" | od -An -tx1 | tr -d ' ')" = "89504e470d0a1a0a" ] ||
  fail "--export-tradeoff wrote no PNG"
/usr/bin/adapterlab --version | grep -q "adapterlab $(dpkg-deb -f "$deb" Version)" ||
  fail "adapterlab --version"

# 4. Remove; nothing may be left.
cd /
$SUDO dpkg --purge adapterlab >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
snapshot >"$work/after"
if ! diff "$work/before" "$work/after" >"$work/diff"; then
  cat "$work/diff"; fail "files left behind or removed by install + purge"
fi
echo "PASS: built, installed, used, purged; nothing left behind"
