#!/usr/bin/env bash
# The local lab: one Docker network per network of a cloud model and one systemd container
# per server, reached by Ansible over SSH as in a datacenter, then the control plane deploy.
#
#   bash scripts/lab.sh up [cloud]       # build what is missing, start the lab, deploy (make lab)
#   bash scripts/lab.sh nodes [cloud]    # only the image, networks, containers, BMCs and SSH (no deploy)
#   bash scripts/lab.sh image            # only the Docker engine and the base image (Molecule uses it)
#   bash scripts/lab.sh node-image       # the base image and the node image (every role's packages installed)
#   bash scripts/lab.sh deploy [cloud]   # only the deploy (lab_prepare + overcloud_control_plane)
#   bash scripts/lab.sh down [cloud]     # remove every container and network the lab made (make lab-down)
#   bash scripts/lab.sh plan [cloud]     # the model's network plan (make plan)
#   bash scripts/lab.sh env [cloud]      # print the environment to run ansible against the lab
#   bash scripts/lab.sh playbook cloud PLAYBOOK [ansible-playbook args]   # run one playbook on the lab
#
# HELION_LAB_DEPLOY_TAGS=TAGS deploys only the plays of those tags (control_plane: HAProxy, keepalived, memcached,
# Galera, RabbitMQ, Keystone; services; or one service's name), with the plays every run needs.
# HELION_LAB_MODEL=DIR takes the model from DIR instead of inventories/<cloud> (the same cloud grown or
# shrunk: the lab tests add a Swift node this way).
#
# Every address comes from the model (ansible-inventory --list); nothing is hard-coded here.
# Safe to run again: each step checks before it acts.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cmd=${1:-}
cloud=${2:-lab}
state=${HELION_LAB_STATE:-$top/.cache/lab}
image=${HELION_LAB_IMAGE:-lab/debian:trixie}
suite=trixie
mirror=${HELION_LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The model: inventories/<cloud>, or another directory holding a model of the same cloud (a model that grew).
inv=${HELION_LAB_MODEL:-inventories/$cloud}/inventory.yml
vault_pass=${HELION_VAULT_PASSWORD_FILE:-$HOME/.config/helion/$cloud.vault-pass}
key=$state/id_ed25519
# The package cache of the lab's package mirror node, kept on the host across labs and checkouts: a lab
# built again (every CI run builds one) fetches only what changed in Debian since the last one.
apt_cache=${HELION_LAB_APT_CACHE:-/var/cache/helion-lab/apt-cacher-ng}

export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$top/ansible.cfg"
export ANSIBLE_PRIVATE_KEY_FILE="$key"
export ANSIBLE_REMOTE_USER=root
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$state/known_hosts-$cloud"
export ANSIBLE_VAULT_PASSWORD_FILE="$vault_pass"

log() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

# The systemd container flags (--privileged is refused on this kind of machine).
run_flags=(--cap-add ALL --cap-drop SYS_RESOURCE
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined
  --security-opt systempaths=unconfined
  --tmpfs /run --tmpfs /run/lock -v /sys/fs/cgroup:/sys/fs/cgroup:rw
  --device /dev/net/tun
  --stop-signal SIGRTMIN+3)  # systemd halts on it; on SIGTERM it re-executes itself and docker stop kills it

ensure_tools() {
  local missing=() p
  for p in docker.io debootstrap openssh-client ethtool; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    [ "$(id -u)" -eq 0 ] || die "run as root to install ${missing[*]}"
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
  [ -x .venv/bin/ansible-playbook ] || bash scripts/bootstrap.sh
  mkdir -p "$state"
}

ensure_dockerd() {
  docker info >/dev/null 2>&1 && return 0
  log "starting dockerd (log in $state/dockerd.log)"
  nohup /usr/sbin/dockerd >"$state/dockerd.log" 2>&1 &
  echo $! >"$state/dockerd.pid"
  local _
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  die "dockerd did not answer within 60 s (see $state/dockerd.log)"
}

ensure_image() {
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  local rootfs=$state/rootfs-$suite
  if [ ! -f "$rootfs/.complete" ]; then
    rm -rf "$rootfs"
    log "debootstrap $suite into $rootfs (about 1-2 minutes)"
    debootstrap --variant=minbase \
      --include=systemd,systemd-sysv,openssh-server,python3,python3-apt,iproute2,iputils-ping,procps,ca-certificates,curl,sudo,gnupg \
      "$suite" "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 || die "debootstrap failed (see $state/debootstrap.log)"
    # Host keys are made per container at first start, not baked into the image.
    rm -f "$rootfs"/etc/ssh/ssh_host_*
    # Loading kernel modules is the host's business.
    ln -sf /dev/null "$rootfs/etc/systemd/system/systemd-modules-load.service"
    touch "$rootfs/.complete"
  fi
  log "importing $image"
  tar -C "$rootfs" --exclude=./.complete -c . | docker import -c 'CMD ["/sbin/init"]' - "$image" >/dev/null
}

# The node image: the base image with the packages of every role installed and their units disabled
# (lab/node_image.py reads them from the roles, lab/node_image.sh installs them), as an overcloud image that
# Ironic writes to a server carries them: the deploy configures and starts services instead of installing them.
# Tagged by a hash of the package list, the debconf answers and the build, so a change makes a new image.
ensure_node_image() {
  local dir=$state/node-image tag
  tag=$("$top/.venv/bin/python" "$top/lab/node_image.py" "$top/roles" "$dir")
  node_image=lab/debian-node:$tag
  docker image inspect "$node_image" >/dev/null 2>&1 && return 0
  log "building $node_image: $(wc -l <"$dir/packages") packages (log in $state/node-image.log)"
  cp "$top/lab/node_image.sh" "$dir/build.sh"
  mkdir -p "$apt_cache"
  docker rm -f helion-lab-node-image >/dev/null 2>&1 || true
  docker run --name helion-lab-node-image -v "$dir:/build:ro" -v "$apt_cache:/var/cache/apt-cacher-ng" \
    "$image" sh /build/build.sh >"$state/node-image.log" 2>&1 || die "the node image's build failed (see $state/node-image.log)"
  docker commit -c 'CMD ["/sbin/init"]' helion-lab-node-image "$node_image" >/dev/null
  docker rm helion-lab-node-image >/dev/null
  tail -n 1 "$state/node-image.log" >&2
  # Older node images are of no use to this checkout's roles.
  docker images --format '{{.Repository}}:{{.Tag}}' lab/debian-node | grep -vxF "$node_image" | xargs -r docker rmi >/dev/null 2>&1 || true
}

# The model, as the inventory plugin plans it: networks, then one line per server.
read_model() {
  # The inventory holds decrypted secrets: keep it in memory, and write only what the lab needs
  # ($cloud-plan.txt for this script, $cloud-model.json for the tests).
  ansible-inventory -i "$inv" --list | "$top/.venv/bin/python" "$top/lab/model_plan.py" "$state" "$cloud" "$top/.venv/collections" "$top/scripts/lab.sh"
  [ -s "$state/$cloud-plan.txt" ] || die "cannot read the model $inv"
  rm -f "$state/$cloud-inventory.json"
}

ensure_key() {
  [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C "helion-lab-deployer" -f "$key"
}

ensure_networks() {
  local kind name cidr gw mtu
  while read -r kind name cidr gw mtu; do
    [ "$kind" = net ] || continue
    docker network inspect "$name" >/dev/null 2>&1 && continue
    log "network $name $cidr"
    local args=(--driver bridge --subnet "$cidr" --label "helion.lab=$cloud" --opt "com.docker.network.driver.mtu=$mtu")
    [ "$gw" != - ] && args+=(--gateway "$gw")
    docker network create "${args[@]}" "$name" >/dev/null
  done <"$state/$cloud-plan.txt"
  host_offloads
  host_routes
}

# The host is the datacenter's router between the management network and each VIP's other network (the plan's
# route lines): the undercloud reaches the public endpoints as a user would, which its monitoring probes. Docker
# isolates its bridges from each other; DOCKER-USER is where it lets an administrator open a path.
host_routes() {
  local kind from to fid tid rule
  while read -r kind from to; do
    [ "$kind" = route ] || continue
    fid=$(docker network inspect -f '{{.Id}}' "$from" 2>/dev/null) || continue
    tid=$(docker network inspect -f '{{.Id}}' "$to" 2>/dev/null) || continue
    for rule in "-i br-${fid:0:12} -o br-${tid:0:12} -j ACCEPT" \
      "-i br-${tid:0:12} -o br-${fid:0:12} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"; do
      # shellcheck disable=SC2086 # the rule's words
      iptables -C DOCKER-USER $rule 2>/dev/null || iptables -I DOCKER-USER $rule
    done
  done <"$state/$cloud-plan.txt"
}

# The host sends to floating IPs through the bridge of each network: with checksum offload on, its TCP
# segments reach a node's userspace Open vSwitch (netdev datapath) with no checksum, and the instance
# drops them. The host computes them itself.
host_offloads() {
  local kind name id
  while read -r kind name _; do
    [ "$kind" = net ] || continue
    id=$(docker network inspect -f '{{.Id}}' "$name" 2>/dev/null) || continue
    ethtool -K "br-${id:0:12}" tx off >/dev/null 2>&1 || log "could not turn checksum offload off on br-${id:0:12}"
  done <"$state/$cloud-plan.txt"
}

# The host resolves the cloud's names (the API endpoints on the VIPs, the nodes) as the nodes do, so
# that the clients on this machine (openstack --os-cloud, the lab tests) follow the service catalog.
host_names() {
  local entries pairs=() port
  entries=$(awk '$1 == "hostsentries" {print $2}' "$state/$cloud-plan.txt")
  [ "$entries" != - ] && IFS=, read -r -a pairs <<<"$entries"
  sed -i "/# helion-lab $cloud\$/d" /etc/hosts
  for port in "${pairs[@]}"; do printf '%s\t%s # helion-lab %s\n' "${port#*:}" "${port%%:*}" "$cloud"; done >>/etc/hosts
}

wait_systemd() {
  local _ st
  for _ in $(seq 1 60); do
    st=$(docker exec "$1" systemctl is-system-running 2>/dev/null || true)
    case "$st" in running|degraded) return 0 ;; esac
    sleep 1
  done
  die "$1: systemd did not finish booting within 60 s (state: $st)"
}

# The data drives of host $1 (the disk model's devices), each a sparse file on a loop device that the
# container sees under the model's device name: prints the --device flags of docker run. The files stay
# when a container is removed (a re-provisioned node keeps its drives, as a server would).
disk_flags() {
  local kind host device size file loop
  mkdir -p "$state/disks"
  while read -r kind host device size; do
    [[ "$kind" == disk && "$host" == "$1" ]] || continue
    file=$state/disks/$cloud-$host-${device##*/}.img
    [ -f "$file" ] || truncate -s "${size}G" "$file"
    loop=$(losetup -j "$file" -O NAME -n | head -n 1)
    [ -n "$loop" ] || loop=$(losetup -f --show "$file") || die "cannot attach $file to a loop device"
    printf -- '--device\n%s:%s\n' "$loop" "$device"
  done <"$state/$cloud-plan.txt"
}

# Detaches and removes the lab's drive files.
remove_disks() {
  local file loop
  for file in "$state/disks/$cloud-"*.img; do
    [ -f "$file" ] || continue
    for loop in $(losetup -j "$file" -O NAME -n); do losetup -d "$loop" || true; done
    rm -f "$file"
  done
}

ensure_containers() {
  local entries mirrors kind host _mac ports port first src rest pairs=() disks=()
  entries=$(awk '$1 == "hostsentries" {print $2}' "$state/$cloud-plan.txt")
  mirrors=$(awk '$1 == "mirror" {print $2}' "$state/$cloud-plan.txt" | tr '\n' ' ')
  [ "$entries" != - ] && IFS=, read -r -a pairs <<<"$entries"
  mkdir -p "$state/hosts"
  while read -r kind host _mac ports; do
    [ "$kind" = host ] || continue
    read -r -a rest <<<"$ports"
    first=${rest[0]}
    # A stopped container of a checkout that is gone (its /etc/hosts file with it) cannot start: made again.
    if docker container inspect "$host" >/dev/null 2>&1 && [ "$(docker inspect -f '{{.State.Running}}' "$host")" != true ]; then
      src=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/etc/hosts"}}{{.Source}}{{end}}{{end}}' "$host")
      if [ ! -f "$src" ]; then
        log "container $host: its checkout is gone ($src); made again"
        docker rm -f "$host" >/dev/null
      fi
    fi
    if docker container inspect "$host" >/dev/null 2>&1; then
      [ "$(docker inspect -f '{{.State.Running}}' "$host")" = true ] || docker start "$host" >/dev/null
    else
      # Our own /etc/hosts (Docker would rewrite its own at every restart): the model's
      # entries from the start, and what osconfig adds stays across restarts.
      {
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
        for port in "${pairs[@]}"; do printf '%s\t%s\n' "${port#*:}" "${port%%:*}"; done
      } >"$state/hosts/$cloud-$host"
      local args=(-d --name "$host" --hostname "$host" --label "helion.lab=$cloud" "${run_flags[@]}"
        -v "$state/hosts/$cloud-$host:/etc/hosts" --network "${first%%=*}" --ip "${first#*=}")
      mapfile -t disks < <(disk_flags "$host")
      args+=("${disks[@]}")
      if [[ " $mirrors " == *" $host "* ]]; then
        mkdir -p "$apt_cache"
        args+=(-v "$apt_cache:/var/cache/apt-cacher-ng")
      fi
      log "container $host ${rest[*]}"
      docker run "${args[@]}" "$node_image" /sbin/init >/dev/null
      for port in "${rest[@]:1}"; do docker network connect --ip "${port#*=}" "${port%%=*}" "$host"; done
    fi
    docker exec "$host" test -s /root/.ssh/authorized_keys 2>/dev/null && continue
    wait_systemd "$host"
    docker exec -i "$host" sh -c 'mkdir -p -m 0700 /root/.ssh && cat >/root/.ssh/authorized_keys && chmod 0600 /root/.ssh/authorized_keys && rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl reset-failed ssh && systemctl restart ssh' <"$key.pub"
    ssh-keygen -R "${first#*=}" -f "$state/known_hosts-$cloud" >/dev/null 2>&1 || true
  done <"$state/$cloud-plan.txt"
}

# The lab BMCs (lab/bmc/labbmc.py, one process for every server of the model): each listens on its
# server's IPMI address, added to the host's side of the model's IPMI network bridge. They are found by
# what they are, not only by this checkout's pid file: a lab brought up from another clone of the
# repository has its BMCs' pid file in that clone's state directory, and its BMCs hold the model's
# addresses all the same.
bmc_pid_file() { echo "$state/$cloud-bmcs.pid"; }

# Whether process $1 serves lab BMCs of this cloud, from any checkout: its command line runs labbmc.py
# with --config <a state directory>/$cloud-bmcs.yml.
is_lab_bmc() {
  local arg prev='' script='' config='' args=()
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
  for arg in "${args[@]}"; do
    case "$arg" in
      labbmc.py | */labbmc.py) script=1 ;;
      --config=*) config=${arg#--config=} ;;
    esac
    [ "$prev" = --config ] && config=$arg
    prev=$arg
  done
  [ -n "$script" ] && [ "${config##*/}" = "$cloud-bmcs.yml" ]
}

# The pids of every process serving lab BMCs of this cloud.
lab_bmc_pids() {
  local dir
  for dir in /proc/[0-9]*; do
    is_lab_bmc "${dir#/proc/}" && echo "${dir#/proc/}"
  done
  return 0
}

# "pid N: command line" of process $1.
describe_pid() {
  local args=()
  mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || true
  echo "pid $1: ${args[*]:-(exited)}"
}

# The pids of the processes with a UDP socket bound to $1 port 623 (or to every address, port 623).
ipmi_holders() {
  command -v ss >/dev/null || return 0
  ss -Hlunp 'sport = :623' 2>/dev/null |
    awk -v want="$1:623" '$4 == want || $4 == "0.0.0.0:623" || $4 == "*:623" || $4 == "[::]:623"' |
    grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -un
}

# The IPMI addresses of the model's servers ("host address" lines), from the plan read last.
bmc_addresses() {
  [ -f "$state/$cloud-plan.txt" ] || return 0
  awk '$1 == "bmc" {print $2, $3}' "$state/$cloud-plan.txt"
}

ensure_bmcs() {
  local kind host address network bridge have n=0
  while read -r kind host address network; do
    [ "$kind" = bmc ] || continue
    bridge=br-$(docker network inspect -f '{{.Id}}' "$network" | cut -c1-12)
    have=$(ip -o -4 addr show dev "$bridge")
    [[ "$have" == *" $address/"* ]] || ip addr add "$address/32" dev "$bridge"
    n=$((n + 1))
  done <"$state/$cloud-plan.txt"
  ((n)) || return 0
  start_bmcs
}

# Starts the lab BMCs of $state/$cloud-bmcs.yml, unless this checkout's are running with that file.
start_bmcs() {
  local pid_file sum pid host address holders=() problems=() n
  pid_file=$(bmc_pid_file)
  sum=$(sha256sum "$state/$cloud-bmcs.yml" | cut -d' ' -f1)
  pid=$(cat "$pid_file" 2>/dev/null || true)
  if is_lab_bmc "$pid" && [ "$sum" = "$(cat "$state/$cloud-bmcs.sum" 2>/dev/null)" ]; then
    return 0
  fi
  # This checkout's when the model or the IPMI password changed since they started, another
  # checkout's for this cloud (their addresses are the ones needed here).
  stop_bmcs quiet
  # Anything else on an address the lab needs: say which process it is rather than fail to bind.
  while read -r host address; do
    mapfile -t holders < <(ipmi_holders "$address")
    for pid in "${holders[@]}"; do
      problems+=("$address:623 (IPMI address of $host) is held by $(describe_pid "$pid")")
    done
  done < <(bmc_addresses)
  if ((${#problems[@]})); then
    printf 'lab: %s\n' "${problems[@]}" >&2
    die "cannot start the lab BMCs of $cloud: stop the process(es) above first"
  fi
  echo "$sum" >"$state/$cloud-bmcs.sum"
  n=$(bmc_addresses | wc -l)
  log "lab BMCs: $n (log in $state/$cloud-bmcs.log)"
  nohup "$top/.venv/bin/python" "$top/lab/bmc/labbmc.py" --config "$state/$cloud-bmcs.yml" --ready-file "$pid_file" \
    >"$state/$cloud-bmcs.log" 2>&1 </dev/null &
  pid=$!
  local _
  for _ in $(seq 1 50); do
    [ -s "$pid_file" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 5 "$state/$cloud-bmcs.log" >&2 || true
  die "the lab BMCs did not start (see $state/$cloud-bmcs.log)"
}

# Stops every process serving lab BMCs of this cloud, whichever checkout started it, and any lab BMC
# process still holding one of the model's IPMI addresses. Names any other process that holds one
# (unless $1 is "quiet": start_bmcs names them itself).
stop_bmcs() {
  local pid mine host address pids=() holders=() quiet=${1:-}
  mine=$(cat "$(bmc_pid_file)" 2>/dev/null || true)
  mapfile -t pids < <(lab_bmc_pids)
  while read -r host address; do
    mapfile -t holders < <(ipmi_holders "$address")
    for pid in "${holders[@]}"; do
      [[ " ${pids[*]} " == *" $pid "* ]] && continue
      if [[ "$(describe_pid "$pid")" == *labbmc.py* ]]; then
        pids+=("$pid")
      elif [ -z "$quiet" ]; then
        log "warning: $address:623 (IPMI address of $host) is held by $(describe_pid "$pid"), not a lab BMC: left alone"
      fi
    done
  done < <(bmc_addresses)
  rm -f "$(bmc_pid_file)"
  ((${#pids[@]})) || return 0
  for pid in "${pids[@]}"; do
    if [ "$pid" = "$mine" ]; then
      log "stopping the lab BMCs ($(describe_pid "$pid"))"
    else
      log "stopping lab BMCs started elsewhere ($(describe_pid "$pid"))"
    fi
  done
  kill "${pids[@]}" 2>/dev/null || true
  if ! wait_exited 50 "${pids[@]}"; then
    log "the lab BMCs did not stop within 5 s: killing them"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait_exited 20 "${pids[@]}" || die "lab BMC processes did not exit: ${pids[*]}"
  fi
  wait_ipmi_released 30
}

# Waits at most $1 tenths of a second until no process's socket is bound to a model's IPMI address, port
# 623: the kernel releases an exited process's sockets a moment after the process is gone, and a start
# right after a stop would fail to bind.
wait_ipmi_released() {
  local _ host address bound
  command -v ss >/dev/null || return 0
  for _ in $(seq 1 "$1"); do
    bound=0
    while read -r host address; do
      [ -n "$(ss -Hlun "src $address:623" 2>/dev/null)" ] && bound=1
    done < <(bmc_addresses)
    ((bound)) || return 0
    sleep 0.1
  done
  return 0
}

# Whether process $1 exists and is not a zombie. Not its command line: an exiting process's reads empty
# before the kernel closes its sockets (its port 623 would still be held); a zombie's files are closed.
process_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ -n "$stat" ] && [ "${stat%% *}" != Z ] && [ "${stat%% *}" != X ]
}

# Waits at most $1 tenths of a second until the processes $2... have exited (zombies count as exited).
wait_exited() {
  local tenths=$1 _ pid left
  shift
  for _ in $(seq 1 "$tenths"); do
    left=0
    for pid in "$@"; do
      process_alive "$pid" && left=1
    done
    ((left)) || return 0
    sleep 0.1
  done
  return 1
}

wait_ssh() {
  local _
  for _ in $(seq 1 30); do
    if ansible -i "$inv" all -m ansible.builtin.ping >"$state/ping.log" 2>&1; then
      log "every node answers Ansible over SSH"
      return 0
    fi
    sleep 2
  done
  cat "$state/ping.log" >&2
  die "nodes not reachable over SSH after 30 tries"
}

ensure_vault_pass() {
  [ -f "$vault_pass" ] && return 0
  mkdir -p "$(dirname "$vault_pass")"
  chmod 0700 "$(dirname "$vault_pass")"
  (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(32))' >"$vault_pass")
  log "created the vault password file $vault_pass"
}

# The lab's 3PAR arrays: HPE's WSAPI mock, one process per array of the model, on the array's address (added
# to the host's end of its lab network, as the BMCs' are). Its volumes live in the process's memory.
array_pid_file() { echo "$state/$cloud-array-$1.pid"; }

ensure_arrays() {
  local kind name address port network bridge have pid_file pid
  [ -f "$state/$cloud-plan.txt" ] || return 0
  while read -r kind name address port network; do
    [ "$kind" = array ] || continue
    bridge=br-$(docker network inspect -f '{{.Id}}' "$network" | cut -c1-12)
    have=$(ip -o -4 addr show dev "$bridge")
    [[ "$have" == *" $address/"* ]] || ip addr add "$address/32" dev "$bridge"
    pid_file=$(array_pid_file "$name")
    pid=$(cat "$pid_file" 2>/dev/null || true)
    if [ -n "$pid" ] && grep -qs "hpe3par_mock.py" "/proc/$pid/cmdline"; then
      continue
    fi
    log "3PAR array $name: HPE's WSAPI mock on $address:$port (log in $state/$cloud-array-$name.log)"
    # Without the descriptors this script inherited (a lock held by flock(1) around it would otherwise be
    # held as long as the array runs).
    (
      for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-"; fi
      done
      exec nohup "$top/.venv/bin/python" "$top/tests/peers/hpe3par_mock.py" --cache "$top/.cache/hpe3par-mock" \
        --host "$address" --port "$port" --credentials "$state/$cloud-array-$name.json" \
        >"$state/$cloud-array-$name.log" 2>&1 </dev/null
    ) &
    echo $! >"$pid_file"
    for _ in $(seq 1 100); do
      curl -s -o /dev/null "http://$address:$port/api/v1/wsapiconfiguration" && break
      kill -0 "$(cat "$pid_file")" 2>/dev/null || die "the 3PAR mock of $name exited (see $state/$cloud-array-$name.log)"
      sleep 0.3
    done
  done <"$state/$cloud-plan.txt"
}

# Every lab array of this cloud, whichever checkout started it (found by its command line: the mock with a
# credentials file <state>/<cloud>-array-<name>.json), so that another checkout's lab can take the addresses.
stop_arrays() {
  local dir args
  for dir in /proc/[0-9]*; do
    args=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
    [[ "$args" == *hpe3par_mock.py*"/$cloud-array-"*.json* ]] || continue
    kill "${dir#/proc/}" 2>/dev/null || true
  done
  rm -f "$state/$cloud"-array-*.pid
}

deploy() {
  ensure_vault_pass
  local t=$SECONDS
  ansible-playbook -i "$inv" -e @lab/vars.yml playbooks/lab_prepare.yml
  # lab_prepare made the secrets, the lab arrays' passwords among them: start the arrays before the deploy.
  read_model
  ensure_arrays
  local tags=()
  [ -n "${HELION_LAB_DEPLOY_TAGS:-}" ] && tags=(--tags "$HELION_LAB_DEPLOY_TAGS")
  ansible-playbook -i "$inv" -e @lab/vars.yml "${tags[@]}" playbooks/overcloud_control_plane.yml
  log "deploy${HELION_LAB_DEPLOY_TAGS:+ (tags $HELION_LAB_DEPLOY_TAGS)} done in $((SECONDS - t)) s"
  # The first deploy makes the secrets, the lab BMCs' IPMI password among them.
  read_model
  ensure_bmcs
}

nodes() {
  ensure_tools
  ensure_dockerd
  ensure_image
  ensure_node_image
  ensure_key
  ensure_vault_pass
  read_model
  ensure_networks
  host_names
  ensure_containers
  ensure_bmcs
  ensure_arrays
  wait_ssh
}

down() {
  stop_bmcs
  stop_arrays
  docker info >/dev/null 2>&1 || { log "no Docker engine: nothing to remove"; return 0; }
  local ids=()
  mapfile -t ids < <(docker ps -aq --filter "label=helion.lab=$cloud")
  if ((${#ids[@]})); then log "removing ${#ids[@]} containers"; docker rm -f -v "${ids[@]}" >/dev/null; fi
  mapfile -t ids < <(docker network ls -q --filter "label=helion.lab=$cloud")
  local id rule
  for id in "${ids[@]}"; do
    # host_routes' rules of this network's bridge
    { iptables -S DOCKER-USER 2>/dev/null || true; } | { grep -F -- "br-${id:0:12}" || true; } | sed 's/^-A //' |
      while read -r rule; do
        # shellcheck disable=SC2086 # the rule's words
        iptables -D $rule
      done
  done
  if ((${#ids[@]})); then log "removing ${#ids[@]} networks"; docker network rm "${ids[@]}" >/dev/null; fi
  mapfile -t ids < <(docker volume ls -q --filter "label=helion.lab=$cloud")
  if ((${#ids[@]})); then log "removing ${#ids[@]} volumes"; docker volume rm "${ids[@]}" >/dev/null; fi
  remove_disks
  sed -i "/# helion-lab $cloud\$/d" /etc/hosts
  rm -f "$state/known_hosts-$cloud" "$state/hosts/$cloud-"* "$state/$cloud"-array-*.json
  log "lab $cloud is down"
}

# Sourced (tests/integration/test_lab_bmcs.py runs the BMC functions alone): define the functions only.
if (return 0 2>/dev/null); then return 0; fi

case "$cmd" in
  up) nodes; deploy ;;
  nodes) nodes ;;
  image) ensure_tools; ensure_dockerd; ensure_image ;;
  node-image) ensure_tools; ensure_dockerd; ensure_image; ensure_node_image ;;
  deploy) deploy ;;
  playbook)
    [ $# -ge 3 ] || die "usage: $0 playbook CLOUD PLAYBOOK [ansible-playbook arguments]"
    ensure_vault_pass
    ansible-playbook -i "$inv" -e @lab/vars.yml "${@:3}" ;;
  down) down ;;
  plan) ensure_tools; ensure_vault_pass; ansible-playbook -i "$inv" playbooks/network_plan.yml ;;
  env)
    printf 'export %s=%q\n' PATH "$PATH" ANSIBLE_CONFIG "$ANSIBLE_CONFIG" ANSIBLE_PRIVATE_KEY_FILE "$key" \
      ANSIBLE_REMOTE_USER root ANSIBLE_SSH_ARGS "$ANSIBLE_SSH_ARGS" ANSIBLE_VAULT_PASSWORD_FILE "$vault_pass" ;;
  *) echo "usage: $0 up|nodes|image|node-image|deploy|down|plan|env [cloud]" >&2; exit 2 ;;
esac
