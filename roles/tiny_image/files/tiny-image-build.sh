#!/usr/bin/env bash
# Builds helion-tiny, a CirrOS-like test image, from Debian packages without installing them:
# the kernel of a linux-image package, an initramfs of busybox-static and dropbear with the virtio
# modules, and one FAT file system over the whole disk booted by SYSLINUX (no loop device needed).
#
#   tiny-image-build.sh --output PATH --work DIR [--modules "m1 m2"] [--cmdline ARGS]
#                       [--metadata URL] PACKAGE=VERSION...
#
# Written for helion.openstack.tiny_image, which decides when to run it (a stamp of its inputs).
set -euo pipefail

output=
work=
modules="virtio_pci virtio_blk virtio_net"
cmdline="console=tty0 console=ttyS0"
metadata="http://169.254.169.254"
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --modules) modules=$2; shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    --metadata) metadata=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "tiny-image-build: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
packages=("$@")
die() { echo "tiny-image-build: $*" >&2; exit 1; }
if [ -z "$output" ] || [ -z "$work" ] || [ ${#packages[@]} -eq 0 ]; then
  die "usage: $0 --output PATH --work DIR PACKAGE=VERSION..."
fi

mkdir -p "$work"
build=$(mktemp -d "$work/build.XXXXXX")
chmod 0755 "$build"
trap 'rm -rf "$build"; rm -f "$output.tmp"' EXIT
debs=$build/debs root=$build/root stage=$build/stage
mkdir -p "$debs" "$root" "$stage"

# apt's download sandbox user must be able to write where the packages land (else a warning).
if getent passwd _apt >/dev/null; then chown _apt "$debs"; fi
(cd "$debs" && apt-get download -q "${packages[@]}") || die "apt-get download ${packages[*]} failed"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$root"; done

# The kernel and its module tree.
vmlinuz=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n 1)
[ -n "$vmlinuz" ] || die "no kernel (boot/vmlinuz-*) in ${packages[*]}"
kver=${vmlinuz##*/vmlinuz-}
kdir=$root/usr/lib/modules/$kver
[ -d "$kdir" ] || kdir=$root/lib/modules/$kver
[ -d "$kdir" ] || die "no module tree for kernel $kver"

busybox=$root/usr/bin/busybox
[ -x "$busybox" ] || busybox=$root/bin/busybox
[ -x "$busybox" ] || die "no busybox in ${packages[*]}"
dropbear=$root/usr/sbin/dropbear
[ -x "$dropbear" ] || die "no dropbear in ${packages[*]}"

mkdir -p "$stage"/{bin,dev,etc/dropbear,lib64,lib/modules,proc,root,run,sys,tmp,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,var/log,www}
chmod 0700 "$stage/root"
chmod 1777 "$stage/tmp"
# The kernel's built-in initramfs has /dev/console already; a node of our own only helps.
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$dropbear" "$stage/usr/sbin/dropbear"

# dropbear's shared libraries, as the packages' own dynamic loader resolves them.
libdir=$root/usr/lib/x86_64-linux-gnu
ldso=$libdir/ld-linux-x86-64.so.2
[ -e "$ldso" ] || die "no dynamic loader in ${packages[*]}"
cp -L "$ldso" "$stage/lib64/ld-linux-x86-64.so.2"
listing=$("$ldso" --library-path "$libdir" --list "$dropbear") || die "cannot list dropbear's libraries"
if grep -q 'not found' <<<"$listing"; then die "dropbear needs libraries none of ${packages[*]} holds: $listing"; fi
while read -r soname _arrow path _addr; do
  if [ "$_arrow" != "=>" ] || [ ! -f "$path" ]; then continue; fi
  case "$soname" in */* | ld-linux*) continue ;; esac
  cp -L "$path" "$stage/usr/lib/x86_64-linux-gnu/$soname"
done <<<"$listing"

# Modules in load order, dependencies first; built-in ones need nothing. (No `| head` or `grep -q` on a
# pipe here: with pipefail, the writer's SIGPIPE would fail the step.)
order=()
sed 's#.*/##; s#\.ko.*##; s#-#_#g' "$kdir/modules.builtin" >"$build/builtin"
add_module() {
  local name=${1//-/_} file deps dep loaded
  for loaded in "${order[@]}"; do [ "$loaded" = "$name" ] && return 0; done
  if grep -qx "$name" "$build/builtin"; then return 0; fi
  file=$(find "$kdir/kernel" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
  [ -n "$file" ] || die "kernel $kver has no module $name"
  case "$file" in
    *.xz) xz -dc "$file" ;;
    *.zst) zstd -dc "$file" ;;
    *.gz) gzip -dc "$file" ;;
    *) cat "$file" ;;
  esac >"$stage/lib/modules/$name.ko"
  deps=$(tr '\0' '\n' <"$stage/lib/modules/$name.ko" | sed -n 's/^depends=//p')
  deps=${deps%%$'\n'*}
  for dep in ${deps//,/ }; do add_module "$dep"; done
  order+=("$name")
}
for m in $modules; do add_module "$m"; done
printf '%s\n' "${order[@]}" >"$stage/etc/modules-load"

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
EOF
cat >"$stage/etc/shadow" <<'EOF'
root:*:20000:0:99999:7:::
EOF
chmod 0600 "$stage/etc/shadow"
echo 'root:x:0:' >"$stage/etc/group"
echo /bin/sh >"$stage/etc/shells"
echo "helion_metadata=$metadata" >"$stage/etc/helion-tiny.conf"

cat >"$stage/etc/udhcpc.script" <<'EOF'
#!/bin/sh
# Called by udhcpc with deconfig, bound, renew or nak; the lease is in the environment.
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    if ! ip -4 addr show dev "$interface" | grep -q " $ip/"; then
      ip -4 addr flush dev "$interface"
      ip addr add "$ip/${mask:-24}" dev "$interface"
    fi
    if [ -n "$staticroutes" ]; then
      # RFC 3442: a DHCP server sending classless routes (the metadata route) means to replace the router option.
      set -- $staticroutes
      while [ $# -ge 2 ]; do
        if [ "$2" = 0.0.0.0 ]; then ip route replace "$1" dev "$interface"; else ip route replace "$1" via "$2" dev "$interface"; fi
        shift 2
      done
    elif [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    : >/etc/resolv.conf
    for server in $dns; do echo "nameserver $server" >>/etc/resolv.conf; done
    echo "$ip" >/run/dhcp-address
    ;;
esac
exit 0
EOF
chmod 0755 "$stage/etc/udhcpc.script"

cat >"$stage/init" <<'EOF'
#!/bin/sh
# PID 1 of helion-tiny: the whole system lives in this initramfs.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1
. /etc/helion-tiny.conf

# /dev/console is the last console= of the command line; say it on the screen too.
say() {
  echo "helion-tiny: $*"
  echo "helion-tiny: $*" >/dev/tty0 2>/dev/null
}
metadata() {
  timeout 10 wget -q -T 5 -O - "$helion_metadata/latest/meta-data/$1" 2>/dev/null
}

hostname helion-tiny
ip link set lo up
while read -r module; do
  [ -z "$module" ] || insmod "/lib/modules/$module.ko" || say "cannot load $module"
done </etc/modules-load

tries=0
while [ ! -e /sys/class/net/eth0 ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
ip link set eth0 up
address=none
if udhcpc -i eth0 -s /etc/udhcpc.script -O mtu -O staticroutes -t 10 -T 3 -A 5 -n -S; then
  address=$(cat /run/dhcp-address)
  say "DHCP done $address"
else
  say "DHCP failed"
fi

instance_id=
tries=0
while [ -z "$instance_id" ] && [ $tries -lt 3 ] && [ "$address" != none ]; do
  instance_id=$(metadata instance-id)
  tries=$((tries + 1))
done
if [ -n "$instance_id" ]; then
  key=$(metadata public-keys/0/openssh-key)
  name=$(metadata hostname)
  [ -n "$name" ] && hostname "${name%%.*}"
  if [ -n "$key" ]; then
    mkdir -m 0700 /root/.ssh
    echo "$key" >/root/.ssh/authorized_keys
    chmod 0600 /root/.ssh/authorized_keys
  fi
  say "metadata instance-id $instance_id"
else
  instance_id=none
  say "no metadata at $helion_metadata"
fi

cat >/www/index.html <<PAGE
<html><head><title>helion-tiny</title></head><body>
<h1>helion-tiny</h1>
<p>instance-id: $instance_id</p>
<p>hostname: $(hostname)</p>
<p>address: $address</p>
</body></html>
PAGE
httpd -p 80 -h /www || say "no web server"
if dropbear -R -p 22; then say "SSH ready"; else say "SSH failed"; fi

while :; do
  setsid cttyhack sh -l
  sleep 1
done
EOF
chmod 0755 "$stage/init"

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$build/initrd.gz"
cp "$vmlinuz" "$build/vmlinuz"

cat >"$build/syslinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT helion-tiny
PROMPT 0
TIMEOUT 0
LABEL helion-tiny
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND $cmdline
EOF

# One FAT file system over the whole disk, sized to its files, written with mtools: no loop device.
kib=$(( ($(stat -c %s "$build/vmlinuz") + $(stat -c %s "$build/initrd.gz")) / 1024 + 4096 ))
kib=$(( (kib + 1023) / 1024 * 1024 ))
export MTOOLS_SKIP_CHECK=1
mkfs.vfat -C -n HELIONTINY "$build/disk.img" "$kib" >/dev/null
mcopy -i "$build/disk.img" "$build/vmlinuz" "$build/initrd.gz" "$build/syslinux.cfg" ::/
syslinux --install "$build/disk.img"

mkdir -p "$(dirname "$output")"
qemu-img convert -c -O qcow2 "$build/disk.img" "$output.tmp"
mv -f "$output.tmp" "$output"
echo "tiny-image-build: $output from kernel $kver, modules ${order[*]:-none}, $(stat -c %s "$output") bytes"
