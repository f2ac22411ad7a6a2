#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Cachet's benchmark: the same work done by cachet-cli, openssl cms and gpgsm in one run.
#
#   bench/run.sh [BUILDDIR] [MESSAGE_MB] [FILE_MB] [RUNS]
#
# Generates a test PKI, a message of MESSAGE_MB (default 135) with one base64 attachment and a
# random file of FILE_MB (default 1024), then times sign / verify / encrypt / decrypt with each
# tool (median of RUNS, default 3) and prints a table: median wall time, peak RSS, ratio to the
# best peer, ratio to the hardware limit measured with `openssl speed` on this machine.
# Not a test: a person runs it and copies the table into the README.
set -euo pipefail

builddir=$(realpath "${1:-_build}")
message_mb=${2:-135}
file_mb=${3:-1024}
runs=${4:-3}
cli="$builddir/src/cli/cachet-cli"
[ -x "$cli" ] || { echo "bench: build first (no $cli)" >&2; exit 2; }

work=$(mktemp -d /var/tmp/cachet-bench-XXXXXX)
trap 'gpgconf --homedir "$work/gnupg" --kill gpg-agent 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

# --- PKI -------------------------------------------------------------------------------------
openssl req -x509 -newkey rsa:3072 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=Bench CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey rsa:3072 -nodes -keyout me.key -out me.csr \
  -subj "/CN=Bench User/emailAddress=me@bench.test" 2>/dev/null
printf 'subjectAltName=email:me@bench.test\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\n' > ext
openssl x509 -req -in me.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile ext -out me.crt 2>/dev/null
openssl pkcs12 -export -legacy -inkey me.key -in me.crt -passout pass:bench -out me.p12

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
echo disable-crl-checks > "$GNUPGHOME/gpgsm.conf"
echo allow-loopback-pinentry > "$GNUPGHOME/gpg-agent.conf"
gpgsm --batch --import ca.crt 2>/dev/null
echo "$(gpgsm --with-colons --list-keys 'Bench CA' | awk -F: '/^fpr/{print $10; exit}') S relax" > "$GNUPGHOME/trustlist.txt"
printf 'bench\n' | gpgsm --batch --pinentry-mode loopback --passphrase-fd 0 --import me.p12 2>/dev/null

# --- inputs ----------------------------------------------------------------------------------
head -c $((message_mb * 1024 * 1024 * 3 / 4)) /dev/urandom > attachment.bin
{
  printf 'From: Bench User <me@bench.test>\nTo: me@bench.test\nSubject: big\nMIME-Version: 1.0\n'
  printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nsee attachment\n--b\n'
  printf 'Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n'
  printf 'Content-Disposition: attachment; filename="a.bin"\n\n'
  base64 -w 76 attachment.bin
  printf -- '--b--\n'
} > message.eml
rm attachment.bin
# the MIME entity openssl signs: the message without its mail headers
sed -n '/^Content-Type: multipart/,$p' message.eml > entity.txt
head -c $((file_mb * 1024 * 1024)) /dev/urandom > big.bin

# --- measuring -------------------------------------------------------------------------------
# measure NAME COMMAND...: runs RUNS times; records "median_seconds peak_kb"
declare -A wall rss
measure () {
  local name=$1; shift
  local times=() peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o time.txt "$@" >/dev/null 2>err.txt || { echo "bench: $name failed: $(tail -1 err.txt)" >&2; wall[$name]=NaN; rss[$name]=0; return; }
    read -r t m < time.txt
    times+=("$t"); [ "$m" -gt "$peak" ] && peak=$m
  done
  wall[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rss[$name]=$peak
}

echo bench > pw

# message
measure cachet.msg.sign    "$cli" sign --p12 me.p12 --password-file pw -o msg-cachet.eml message.eml
measure openssl.msg.sign   openssl cms -sign -in entity.txt -signer me.crt -inkey me.key -out msg-openssl.eml
measure cachet.msg.verify  "$cli" verify --no-system-trust --trust ca.crt msg-cachet.eml
measure openssl.msg.verify openssl cms -verify -in msg-openssl.eml -CAfile ca.crt -purpose smimesign -out /dev/null
measure cachet.msg.encrypt  "$cli" encrypt --no-system-trust --trust ca.crt --to-cert me.crt --no-self --cipher aes-256-cbc -o enc-cachet.eml message.eml
measure openssl.msg.encrypt openssl cms -encrypt -aes256 -stream -in entity.txt -out enc-openssl.eml me.crt
measure cachet.msg.decrypt  "$cli" decrypt --p12 me.p12 --password-file pw -o dec.eml enc-cachet.eml
measure openssl.msg.decrypt openssl cms -decrypt -in enc-openssl.eml -recip me.crt -inkey me.key -out dec.txt

# plain file
measure cachet.file.sign    "$cli" sign --p12 me.p12 --password-file pw -o big.bin.p7s big.bin
measure openssl.file.sign   openssl cms -sign -binary -in big.bin -signer me.crt -inkey me.key -outform DER -out big-openssl.p7s
measure gpgsm.file.sign     gpgsm --batch --pinentry-mode loopback --passphrase bench --detach-sign -o big-gpgsm.p7s big.bin
measure cachet.file.verify  "$cli" verify --no-system-trust --trust ca.crt big.bin.p7s --content big.bin
measure openssl.file.verify openssl cms -verify -binary -inform DER -in big-openssl.p7s -content big.bin -CAfile ca.crt -purpose smimesign -out /dev/null
measure gpgsm.file.verify   gpgsm --batch --verify big-gpgsm.p7s big.bin
measure cachet.file.encrypt  "$cli" encrypt --no-system-trust --trust ca.crt --to-cert me.crt --no-self --cipher aes-256-cbc -o big.bin.p7m big.bin
measure openssl.file.encrypt openssl cms -encrypt -binary -aes256 -stream -in big.bin -outform DER -out big-openssl.p7m me.crt
measure gpgsm.file.encrypt   gpgsm --batch -r me@bench.test -o big-gpgsm.p7m --encrypt big.bin
measure cachet.file.decrypt  "$cli" decrypt --p12 me.p12 --password-file pw -o big.out big.bin.p7m
measure openssl.file.decrypt openssl cms -decrypt -binary -inform DER -in big-openssl.p7m -recip me.crt -inkey me.key -out big.out
measure gpgsm.file.decrypt   gpgsm --batch --pinentry-mode loopback --passphrase bench -o big.out --decrypt big-gpgsm.p7m

# --- hardware limit --------------------------------------------------------------------------
# bytes per second at 16 KiB blocks, from openssl speed
speed () { openssl speed -elapsed -seconds 2 -bytes 16384 "$@" 2>/dev/null | awk '/^[a-zA-Z]/ && NF>=2 {v=$NF} END {sub("k","",v); print v*1000}'; }
sha256_bps=$(speed -evp sha256)
aes_cbc_bps=$(speed -evp aes-256-cbc)

limit () { # limit OPERATION BYTES
  case $1 in
    sign|verify) awk -v b="$2" -v s="$sha256_bps" 'BEGIN {printf "%.3f", b/s}' ;;
    *) awk -v b="$2" -v s="$aes_cbc_bps" 'BEGIN {printf "%.3f", b/s}' ;;
  esac
}

msg_bytes=$(stat -c %s message.eml)
file_bytes=$(stat -c %s big.bin)

printf '\nCachet benchmark, %s, %s, %s cores; message %d MB, file %d MB, median of %d\n\n' \
  "$(date -u +%Y-%m-%d)" "$(uname -m)" "$(nproc)" "$message_mb" "$file_mb" "$runs"
printf '| work | cachet | openssl cms | gpgsm | cachet / best peer | cachet / hardware limit |\n|---|---|---|---|---|---|\n'
for kind in msg file; do
  for op in sign verify encrypt decrypt; do
    c=${wall[cachet.$kind.$op]:-NaN}; o=${wall[openssl.$kind.$op]:-NaN}; g=${wall[gpgsm.$kind.$op]:-NaN}
    best=$(printf '%s\n%s\n' "$o" "$g" | grep -v NaN | sort -n | head -1)
    bytes=$([ $kind = msg ] && echo "$msg_bytes" || echo "$file_bytes")
    hw=$(limit $op "$bytes")
    fmt () { [ "$1" = NaN ] && echo "–" || echo "$1 s, $(( $2 / 1024 )) MB"; }
    printf '| %s %s | %s | %s | %s | %s | %s |\n' "$kind" "$op" \
      "$(fmt "$c" "${rss[cachet.$kind.$op]:-0}")" "$(fmt "$o" "${rss[openssl.$kind.$op]:-0}")" \
      "$( [ $kind = msg ] && echo "–" || fmt "$g" "${rss[gpgsm.$kind.$op]:-0}")" \
      "$(awk -v c="$c" -v b="$best" 'BEGIN {if (c=="NaN"||b==""||b==0) print "–"; else printf "%.2f", c/b}')" \
      "$(awk -v c="$c" -v h="$hw" 'BEGIN {if (c=="NaN"||h==0) print "–"; else printf "%.1f× (limit %.2f s)", c/h, h}')"
  done
done
