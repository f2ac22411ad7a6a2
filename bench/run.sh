#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Cachet's benchmark: the same work done by cachet-cli, openssl cms and gpgsm in one run.
#
#   bench/run.sh [BUILDDIR] [MESSAGE_MB] [FILE_MB] [RUNS]
#
# Generates a test PKI, a message of MESSAGE_MB (default 135) with one base64 attachment, a
# 50 KB message and a random file of FILE_MB (default 1024), then times sign / verify / encrypt /
# decrypt with each tool (median of RUNS, default 3; the 50 KB verify is run 21 times) and prints
# a table: median wall time, peak RSS (max over the runs), ratio to the best peer, ratio to the
# hardware limit measured with `openssl speed` on this machine (SHA-256 for sign/verify,
# AES-256-CBC encryption for encrypt/decrypt, as issue 8 defines it).
# Not a test: a person runs it and copies the table into the README.
#
# Environment: BENCH_DIR=DIR keeps the inputs and outputs in DIR (reused when present) instead
# of a temporary folder removed at the end; BENCH_ONLY=msg|file|small runs one group.
set -euo pipefail

builddir=$(realpath "${1:-_build}")
message_mb=${2:-135}
file_mb=${3:-1024}
runs=${4:-3}
small_runs=21
cli="$builddir/src/cli/cachet-cli"
[ -x "$cli" ] || { echo "bench: build first (no $cli)" >&2; exit 2; }
for tool in openssl gpgsm gpgconf /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install openssl gpgsm time)" >&2; exit 2; }
done

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
  trap 'gpgconf --homedir "$work/gnupg" --kill gpg-agent 2>/dev/null || true' EXIT
else
  work=$(mktemp -d /var/tmp/cachet-bench-XXXXXX)
  trap 'gpgconf --homedir "$work/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
fi
cd "$work"
export GNUPGHOME="$work/gnupg"
# no store, no keyring: cachet-cli works on the files given
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"

# --- PKI -------------------------------------------------------------------------------------
if [ ! -f me.crt ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=Bench CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
  openssl req -newkey rsa:3072 -nodes -keyout me.key -out me.csr \
    -subj "/CN=Bench User/emailAddress=me@bench.test" 2>/dev/null
  printf 'subjectAltName=email:me@bench.test\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n' > ext
  openssl x509 -req -in me.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile ext -out me.crt 2>/dev/null
  # gpgsm 2.2 reads only the old 3DES / SHA-1 PKCS #12
  openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
    -inkey me.key -in me.crt -passout pass:bench -out me.p12
  echo bench > pw

  rm -rf "$GNUPGHOME"; mkdir -m 700 "$GNUPGHOME"
  echo disable-crl-checks > "$GNUPGHOME/gpgsm.conf"
  echo allow-loopback-pinentry > "$GNUPGHOME/gpg-agent.conf"
  gpgsm --batch --import ca.crt 2>/dev/null
  echo "$(gpgsm --with-colons --list-keys 'Bench CA' | awk -F: '/^fpr/{print $10; exit}') S relax" > "$GNUPGHOME/trustlist.txt"
  gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import me.p12 < pw 2>/dev/null
  gpgsm --list-secret-keys 2>/dev/null | grep -q 'Bench User' || { echo "bench: gpgsm did not import the key" >&2; exit 2; }
fi

# --- inputs ----------------------------------------------------------------------------------
# make_message FILE BYTES: a mail with a short text part and one base64 attachment
make_message () {
  head -c $(($2 * 3 / 4)) /dev/urandom > attachment.bin
  {
    printf 'From: Bench User <me@bench.test>\nTo: me@bench.test\nSubject: big\nMIME-Version: 1.0\n'
    printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attachment\n--b\n'
    printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n'
    printf 'Content-Disposition: attachment; filename="a.bin"\n\n'
    base64 -w 76 attachment.bin
    printf -- '--b--\n'
  } > "$1"
  rm attachment.bin
}
[ -f message.eml ] && [ "$(stat -c %s message.eml)" -gt $((message_mb * 1024 * 1024)) ] || make_message message.eml $((message_mb * 1024 * 1024))
[ -f small.eml ] || make_message small.eml $((50 * 1024))
# the MIME entity openssl signs: the message without its mail headers
for m in message small; do sed -n '/^Content-Type: multipart/,$p' $m.eml > $m-entity.txt; done
[ -f big.bin ] && [ "$(stat -c %s big.bin)" -eq $((file_mb * 1024 * 1024)) ] || head -c $((file_mb * 1024 * 1024)) /dev/urandom > big.bin

# --- measuring -------------------------------------------------------------------------------
# measure NAME OK_CODES COMMAND...: runs RUNS times (or $n_runs), records the median wall time
# (seconds, ms resolution), the median CPU time (user + system) and the highest max RSS (KB).
# OK_CODES: exit codes that mean success, e.g. "0" or "0 4" (cachet-cli decrypt says 4 when the
# content is not signed). The CPU time shows how much of the wall time was waiting (for the
# disk, or for a CPU other programs were using).
declare -A wall rss cpu
measure () {
  local name=$1 ok=$2; shift 2
  local times=() cpus=() peak=0 n=${n_runs:-$runs} rc start end m u s
  for _ in $(seq "$n"); do
    sync; start=$(date +%s%N)
    set +e
    /usr/bin/time -f '%M %x %U %S' -o time.txt "$@" >/dev/null 2>err.txt
    set -e
    end=$(date +%s%N)
    read -r m rc u s < <(tail -1 time.txt)
    if [[ " $ok " != *" $rc "* ]]; then
      echo "bench: $name failed (exit $rc): $(grep -v '^Command exited' err.txt | tail -1)" >&2
      wall[$name]=NaN; rss[$name]=0; return
    fi
    times+=("$(( (end - start) / 1000000 ))"); [ "$m" -gt "$peak" ] && peak=$m
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
  done
  wall[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)] / 1000}')
  cpu[$name]=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
  rss[$name]=$peak
  printf '  %-26s %8s s (cpu %s s) %6d MB\n' "$name" "${wall[$name]}" "${cpu[$name]}" $((peak / 1024)) >&2
}

only=${BENCH_ONLY:-all}
gpg_pass=(--batch --pinentry-mode loopback --passphrase-fd 0)

if [ "$only" = all ] || [ "$only" = small ]; then
  echo "bench: 50 KB message" >&2
  "$cli" sign --cert me.crt --key me.key -o small-cachet.eml small.eml
  openssl cms -sign -in small-entity.txt -signer me.crt -inkey me.key -out small-openssl.eml
  n_runs=$small_runs measure cachet.small.verify 0 "$cli" verify --no-system-trust --trust ca.crt small-cachet.eml
  n_runs=$small_runs measure cachet.small.verify-system 0 "$cli" verify --trust ca.crt small-cachet.eml
  n_runs=$small_runs measure openssl.small.verify 0 openssl cms -verify -in small-openssl.eml -CAfile ca.crt -purpose smimesign -out /dev/null
fi

if [ "$only" = all ] || [ "$only" = msg ]; then
  echo "bench: $message_mb MB message" >&2
  measure cachet.msg.sign    0 "$cli" sign --cert me.crt --key me.key -o msg-cachet.eml message.eml
  measure openssl.msg.sign   0 openssl cms -sign -in message-entity.txt -signer me.crt -inkey me.key -out msg-openssl.eml
  measure cachet.msg.verify  0 "$cli" verify --no-system-trust --trust ca.crt msg-cachet.eml
  measure openssl.msg.verify 0 openssl cms -verify -in msg-openssl.eml -CAfile ca.crt -purpose smimesign -out /dev/null
  measure cachet.msg.encrypt  0 "$cli" encrypt --no-system-trust --trust ca.crt --to-cert me.crt --no-self --cipher aes-256-cbc -o enc-cachet.eml message.eml
  measure openssl.msg.encrypt 0 openssl cms -encrypt -aes256 -stream -in message-entity.txt -out enc-openssl.eml me.crt
  measure cachet.msg.decrypt  "0 4" "$cli" decrypt --no-system-trust --cert me.crt --key me.key -o dec.eml enc-cachet.eml
  measure openssl.msg.decrypt 0 openssl cms -decrypt -in enc-openssl.eml -recip me.crt -inkey me.key -out dec.txt
  rm -f dec.eml dec.txt
fi

if [ "$only" = all ] || [ "$only" = file ]; then
  echo "bench: $file_mb MB file" >&2
  measure cachet.file.sign    0 "$cli" sign --cert me.crt --key me.key -o big.bin.p7s big.bin
  measure openssl.file.sign   0 openssl cms -sign -binary -in big.bin -signer me.crt -inkey me.key -outform DER -out big-openssl.p7s
  measure gpgsm.file.sign     0 sh -c 'exec gpgsm "$@" < pw' gpgsm "${gpg_pass[@]}" --detach-sign -o big-gpgsm.p7s big.bin
  measure cachet.file.verify  0 "$cli" verify --no-system-trust --trust ca.crt big.bin.p7s --content big.bin
  measure openssl.file.verify 0 openssl cms -verify -binary -inform DER -in big-openssl.p7s -content big.bin -CAfile ca.crt -purpose smimesign -out /dev/null
  measure gpgsm.file.verify   0 gpgsm --batch --verify big-gpgsm.p7s big.bin
  rm -f big-gpgsm.p7s big-openssl.p7s
  measure cachet.file.encrypt  0 "$cli" encrypt --no-system-trust --trust ca.crt --to-cert me.crt --no-self --cipher aes-256-cbc -o big.bin.p7m big.bin
  measure openssl.file.encrypt 0 openssl cms -encrypt -binary -aes256 -stream -in big.bin -outform DER -out big-openssl.p7m me.crt
  measure gpgsm.file.encrypt   0 gpgsm --batch --cipher-algo AES256 -r me@bench.test -o big-gpgsm.p7m --encrypt big.bin
  measure cachet.file.decrypt  "0 4" "$cli" decrypt --no-system-trust --cert me.crt --key me.key -o big.out big.bin.p7m
  measure openssl.file.decrypt 0 openssl cms -decrypt -binary -inform DER -in big-openssl.p7m -recip me.crt -inkey me.key -out big.out
  measure gpgsm.file.decrypt   0 sh -c 'exec gpgsm "$@" < pw' gpgsm "${gpg_pass[@]}" -o big.out --decrypt big-gpgsm.p7m
  rm -f big.out big-openssl.p7m big-gpgsm.p7m
fi

# --- hardware limit --------------------------------------------------------------------------
# bytes per second at 16 KiB blocks, from openssl speed (its last column is in 1000s of bytes/s)
speed () { openssl speed -elapsed -seconds 2 -bytes 16384 "$@" 2>/dev/null | awk 'NF>=2 {v=$NF} END {sub("k","",v); print v*1000}'; }
sha256_bps=$(speed -evp sha256)
aes_cbc_bps=$(speed -evp aes-256-cbc)

limit () { # limit OPERATION BYTES: seconds
  case $1 in
    sign|verify) awk -v b="$2" -v s="$sha256_bps" 'BEGIN {printf "%.3f", b/s}' ;;
    *) awk -v b="$2" -v s="$aes_cbc_bps" 'BEGIN {printf "%.3f", b/s}' ;;
  esac
}

msg_bytes=$(stat -c %s message.eml)
small_bytes=$(stat -c %s small.eml)
file_bytes=$(stat -c %s big.bin)
fmt () { [ "$1" = NaN ] && echo "–" || echo "$1 s (cpu $3 s), $(( $2 / 1024 )) MB"; }

printf '\nCachet benchmark, %s, %s, %s cores (%s), %s\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uname -m)" "$(nproc)" \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$(openssl version | cut -d' ' -f1-2)"
printf 'message %s bytes, file %s bytes, small message %s bytes; median of %d runs (small: %d)\n' \
  "$msg_bytes" "$file_bytes" "$small_bytes" "$runs" "$small_runs"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'hardware limit (openssl speed, 16 KiB blocks): SHA-256 %.2f GB/s, AES-256-CBC %.2f GB/s\n\n' \
  "$(awk -v s="$sha256_bps" 'BEGIN {print s/1e9}')" "$(awk -v s="$aes_cbc_bps" 'BEGIN {print s/1e9}')"
printf '| work | cachet-cli | openssl cms | gpgsm | cachet / best peer | cachet / hardware limit |\n|---|---|---|---|---|---|\n'
for kind in small msg file; do
  for op in sign verify verify-system encrypt decrypt; do
    [ -n "${wall[cachet.$kind.$op]:-}" ] || continue
    c=${wall[cachet.$kind.$op]}
    peer_op=${op%-system}
    o=${wall[openssl.$kind.$peer_op]:-NaN}; g=${wall[gpgsm.$kind.$peer_op]:-NaN}
    best=$(printf '%s\n%s\n' "$o" "$g" | grep -v NaN | sort -n | head -1 || true)
    case $kind in msg) bytes=$msg_bytes ;; small) bytes=$small_bytes ;; *) bytes=$file_bytes ;; esac
    hw=$(limit "$peer_op" "$bytes")
    label="$kind $op"; [ "$op" = verify-system ] && label="$kind verify (with system trust)"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" \
      "$(fmt "$c" "${rss[cachet.$kind.$op]:-0}" "${cpu[cachet.$kind.$op]:-}")" \
      "$(fmt "$o" "${rss[openssl.$kind.$peer_op]:-0}" "${cpu[openssl.$kind.$peer_op]:-}")" \
      "$( [ "$kind" = file ] && fmt "$g" "${rss[gpgsm.$kind.$peer_op]:-0}" "${cpu[gpgsm.$kind.$peer_op]:-}" || echo "–")" \
      "$(awk -v c="$c" -v b="$best" 'BEGIN {if (c=="NaN"||b==""||b==0) print "–"; else printf "%.2f", c/b}')" \
      "$( [ "$kind" = small ] && echo "–" || awk -v c="$c" -v h="$hw" 'BEGIN {if (c=="NaN"||h==0) print "–"; else printf "%.1f× (limit %.3f s)", c/h, h}')"
  done
done
