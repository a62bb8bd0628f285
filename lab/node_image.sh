#!/bin/sh
# Runs in a container of the lab's base image, the host's package cache mounted on /var/cache/apt-cacher-ng
# (scripts/lab.sh commits the result as the node image). Installs the packages of /build/packages with the
# debconf answers of /build/selections from the repositories helion.openstack.osconfig configures, as the roles'
# install steps do (services held from starting), then disables every unit the packages enabled: each role
# enables and starts its own units on the nodes it places them on, so nothing starts at boot with a packaged
# configuration.
set -eu
export DEBIAN_FRONTEND=noninteractive
units() { find /etc/systemd/system -type l \( -path '*.wants/*' -o -path '*.requires/*' \) | sort; }
units >/tmp/units.before
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
apt_get() { apt-get -y -qq -o Dpkg::Options::=--force-unsafe-io "$@"; }
apt_get update
# The lab's package cache serves this build too: what an earlier lab downloaded is not downloaded again.
apt_get install apt-cacher-ng >/dev/null
/usr/sbin/apt-cacher-ng -c /etc/apt-cacher-ng ForeGround=0 pidfile=/tmp/acng.pid SocketPath=/tmp/acng.socket \
  LogDir=/tmp
for _ in $(seq 1 30); do [ -s /tmp/acng.pid ] && break; sleep 1; done
# Its backends file comes from the base image's sources.list, as on the lab's package mirror node; the rest
# comes from the repositories osconfig writes.
sources=/etc/apt/sources.list.d/helion-image.sources
cat >"$sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
mv /etc/apt/sources.list /etc/apt/sources.list.image
echo 'Acquire::http::Proxy "http://127.0.0.1:3142";' >/etc/apt/apt.conf.d/00helion-image-proxy
debconf-set-selections /build/selections
# The same proxy type the nova role writes before it installs nova-consoleproxy (its maintainer scripts read it).
printf 'NOVA_CONSOLE_PROXY_TYPE=novnc\nNOVA_SERIAL_PROXY_START=false\n' >/etc/default/nova-consoleproxy
apt_get update
xargs apt-get install -y -qq -o Dpkg::Options::=--force-unsafe-io </build/packages >/dev/null
kill "$(cat /tmp/acng.pid)"
rm -f /usr/sbin/policy-rc.d /etc/apt/apt.conf.d/00helion-image-proxy "$sources"
mv /etc/apt/sources.list.image /etc/apt/sources.list
units >/tmp/units.after
mkdir -p /usr/share/helion-lab
comm -13 /tmp/units.before /tmp/units.after >/usr/share/helion-lab/units-disabled
xargs -r rm -f </usr/share/helion-lab/units-disabled
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/*
echo "node image: $(wc -l </build/packages) packages installed, $(wc -l </usr/share/helion-lab/units-disabled) units disabled"
