#!/usr/bin/env bash
# Fuzzes every commis-docs parser entry point (the libFuzzer targets in fuzz/) for a
# short budget, on the stable toolchain: cargo-fuzz needs nightly for its sanitizer
# flags, so the targets are built here with the coverage instrumentation stable rustc
# has (sancov pass, inline 8-bit counters, compare tracing) and libfuzzer-sys, and run
# directly. Seeds are the test fixtures. Exits non-zero on any crash, hang or OOM and
# prints the input that caused it.
#
#   scripts/test-fuzz.sh                 # every target, FUZZ_SECONDS (15) each
#   FUZZ_SECONDS=60 scripts/test-fuzz.sh pdf zip_package
#   (FUZZ_JOBS: targets run at once, default 2; FUZZ_TARGET_DIR: build dir, default target/fuzz)
#
# Reproduce a crash: target/fuzz/<triple>/release/<target> <crash file>
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

seconds=${FUZZ_SECONDS:-15}
jobs=${FUZZ_JOBS:-2}
work="${FUZZ_TARGET_DIR:-$repo/target/fuzz}"
triple=$(rustc -vV | sed -n 's/^host: //p')

# libfuzzer-sys compiles libFuzzer from C++ source.
if ! command -v c++ >/dev/null 2>&1; then
    echo "fuzz: installing a C++ compiler (g++) for libFuzzer"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq g++ >/dev/null || {
        echo "fuzz: g++ is missing and could not be installed" >&2
        exit 2
    }
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^commis-docs-fuzz$')
fi

start=$(date +%s)
echo "fuzz: building ${#targets[@]} targets ($triple, release, coverage-instrumented)"
# --target keeps the instrumentation off build scripts and proc macros (they are not
# linked with libFuzzer).
flags="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares"
bin_args=()
for t in "${targets[@]}"; do bin_args+=(--bin "$t"); done
if ! RUSTFLAGS="$flags" CARGO_TARGET_DIR="$work" cargo build --quiet --release \
    --manifest-path fuzz/Cargo.toml --target "$triple" "${bin_args[@]}"; then
    echo "fuzz: build failed" >&2
    exit 2
fi
built=$(date +%s)
echo "fuzz: built in $((built - start))s; running each target ${seconds}s, $jobs at a time"

# Seed corpus per target, from the fixtures. Targets that add a magic prefix get seeds
# without it, so mutations start from real content.
seed_dir() {
    local t=$1 dir="$work/seeds/$t" f
    rm -rf "$dir" && mkdir -p "$dir"
    local fx=tests/fixtures
    case $t in
        pdf)
            for f in $fx/invoices/*/*.pdf; do tail -n +2 "$f" >"$dir/$(basename "$f")"; done ;;
        zip_package)
            find $fx/office -type f \( -name '*.docx' -o -name '*.pptx' -o -name '*.xlsx' -o -name '*.xlsm' \
                -o -name '*.odt' -o -name '*.ods' -o -name '*.odp' \) -size -200k -exec cp {} "$dir/" \; ;;
        csv)
            find $fx/office -type f -name '*.csv' -size -200k -exec cp {} "$dir/" \; ;;
        json)
            find $fx -type f -name '*.json' -size -100k -exec sh -c 'tail -c +2 "$1" >"$2/$(basename "$1")"' _ {} "$dir" \; ;;
        xml)
            find $fx -type f -name '*.xml' -size -200k -exec cp {} "$dir/" \; ;;
        eml)
            printf 'Subject: =?utf-8?q?Facture_F2024-038?=\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nMontant : 1 234,56 =E2=82=AC\r\n--b\r\nContent-Type: application/pdf; name="f.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n' >"$dir/mail.eml"
            find examples/demo-pme -maxdepth 1 -name '*.eml' -exec cp {} "$dir/" \; ;;
        rtf)
            printf '\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}{\\b Facture} caf\\'"'"'e9 1 234,56 \\u8364?\\par\\trowd\\cellx1000\\cellx2000 A\\cell B\\cell\\row}' >"$dir/doc.rtf" ;;
        html)
            printf '<head><title>Devis</title><style>p{}</style></head><body><h1>Devis</h1><p>Total&nbsp;: 1&#160;234,56 &euro;</p><table><tr><td>A</td><td>1</td></tr></table><script>x()</script></body></html>' >"$dir/page.html" ;;
        image)
            printf '\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x11\x08\x00\x10\x00\x20\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9' >"$dir/min.jpg" ;;
        *)
            # read_bytes: a few files of every kind.
            for ext in pdf docx pptx xlsx xls xlsb ods odt odp csv json xml txt md; do
                find $fx -type f -name "*.$ext" -size -100k | head -n 2 | while read -r f; do
                    cp "$f" "$dir/$(basename "$f")"
                done
            done ;;
    esac
    echo "$dir"
}

run_target() {
    local t=$1 seeds corpus="$work/corpus/$t" artifacts="$work/artifacts/$t/" log="$work/logs/$t.log"
    seeds=$(seed_dir "$t")
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    rm -f "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*
    # New inputs go to the first directory (kept between runs, so coverage builds up);
    # the seeds are only read.
    "$work/$triple/release/$t" "$corpus" "$seeds" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -max_len=1048576 \
        -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1
    local rc=$? crash
    crash=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | head -n 1)
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ $rc -ne 0 ] || [ -n "$crash" ]; then
        echo "fuzz: $t CRASHED (exit $rc) input: ${crash:-<none saved>}"
        grep -m 3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /'
        echo "    log: $log"
        return 1
    fi
    echo "fuzz: $t ok, ${execs:-?} runs in ${seconds}s"
}

status_dir=$(mktemp -d)
trap 'rm -rf "$status_dir"' EXIT
running=0
for t in "${targets[@]}"; do
    ( run_target "$t"; echo $? >"$status_dir/$t" ) &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

crashed=0
for t in "${targets[@]}"; do
    [ "$(cat "$status_dir/$t" 2>/dev/null)" = "0" ] || crashed=$((crashed + 1))
done
echo "fuzz: ${#targets[@]} targets, $crashed crashed ($(($(date +%s) - start))s in all)"
[ "$crashed" -eq 0 ]
