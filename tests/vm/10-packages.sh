# SPDX-License-Identifier: GPL-2.0
# vm: nics=virtio:d0:1 smp=2 mem=1536 hugepages=160 overlay=1 init=systemd timeout=1800
#
# dpkit as a Debian admin gets it: the packages of `make deb` installed
# into a guest whose root is writable (an overlay over the host root) and
# whose PID 1 is systemd. DKMS builds and installs dpkit.ko for the running
# kernel, modprobe loads it, udev gives /dev/dpkit to the group the
# package made; dpkitd.service waits for its configuration, then starts
# from /etc/dpkit/dpkitd.conf (Type=notify: active once it forwards),
# binding the NIC and isolating a CPU; a worker stopped from outside stops
# the watchdog pings, so systemd kills and restarts dpkitd (the lease gives
# the NIC back in between); dpkit-metrics.service serves the metrics;
# purging the packages stops it all, unloads and removes the module and
# gives the NIC back. Commands and their output go to the log as "# "
# lines (Documentation/admin-guide.rst shows them).
. "$DPKIT_TOP/tests/vm/lib.sh"

helpers=$DPKIT_TOP/tests/vm/helpers
tmp=$(mktemp -d)
kver=$(uname -r)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:00)")
orig_driver=$(driver_of "$D0")
orig_affinity=$(cat /proc/irq/default_smp_affinity)
export SYSTEMD_COLORS=0 SYSTEMD_PAGER= DEBIAN_FRONTEND=noninteractive

nic_on() { [ "$(driver_of "$D0")" = "$1" ]; }
fetch_metrics() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
		"http://$1/metrics"
}
metrics_served() { fetch_metrics 127.0.0.1:9810 | grep -qx 'dpkitd_up 1'; }
restarted() {
	systemctl is-active -q dpkitd &&
		[ "$(systemctl show -p NRestarts --value dpkitd)" = 1 ] &&
		[ "$(systemctl show -p MainPID --value dpkitd)" != "$pid" ]
}

exec 9>&1
# show CMD...: run it, put "$ CMD" and its output in the log.
show() {
	local rc
	"$@" > "$tmp/out" 2>&1
	rc=$?
	{ echo "# \$ $*"; sed 's/^/# /' "$tmp/out"; } >&9
	return $rc
}

# This guest plays a machine with only its running kernel installed, so
# that DKMS builds once (the host's other kernels' configs are hidden in
# the overlay); without the container's policy-rc.d, which forbids
# maintainer scripts to start or stop services; and without man-db's
# index update (minutes over 9p under TCG, and beside the point).
for c in /boot/config-*; do
	[ "$c" = "/boot/config-$kver" ] || rm -f "$c"
done
rm -f /usr/sbin/policy-rc.d /var/lib/man-db/auto-update

echo "# systemd up, scenario starts $(cut -d. -f1 /proc/uptime) s after boot"
debs=$(ls "$DPKIT_BUILD"/deb/*.deb 2>/dev/null | grep -v -- '-dbgsym_')
check "the packages of make deb are there" test -n "$debs"
start=$(date +%s)
# Each line with the seconds since dpkg started: where the time goes.
dpkg_i() {
	dpkg -i "$@" 2>&1 | while IFS= read -r line; do
		echo "[$(( $(date +%s) - start ))] $line"
	done
	return "${PIPESTATUS[0]}"
}
check "dpkg -i: dpkit-dkms, dpkitd, dpkitctl, libdpkit0, libdpkit-dev" \
	show dpkg_i $debs
echo "# dpkg -i took $(( $(date +%s) - start )) s (DKMS builds dpkit.ko)"
# DKMS installs the module compressed as the kernel's own are (6.12's:
# dpkit.ko.xz); grep reads all of dkms' output (with -q, dkms writes into
# a closed pipe and says so).
dkms_ko() { ls /lib/modules/"$kver"/updates/dkms/dpkit.ko* 2> /dev/null; }
dkms_installed() {
	dkms status dpkit | grep "$kver.*: installed" > /dev/null &&
		[ -n "$(dkms_ko)" ]
}
check "DKMS built and installed dpkit.ko for the running kernel ($kver)" \
	dkms_installed
echo "# $(dkms_ko)"
show dkms status
check "the postinst made the group dpkit" getent group dpkit
check "dpkitd.service is enabled, and waits for a configuration" \
	sh -c "[ \$(systemctl is-enabled dpkitd) = enabled ] &&
	       ! systemctl is-active -q dpkitd &&
	       systemctl show -p ConditionResult dpkitd | grep -qx ConditionResult=no"
check "modprobe dpkit (the DKMS module)" \
	sh -c "modprobe dpkit && modinfo -n dpkit | grep -q /updates/dkms/"
wait_for 10 test -e /dev/dpkit
udevadm settle --timeout=30
check "udev: /dev/dpkit belongs to group dpkit, mode 0640" \
	sh -c "[ \"\$(stat -c '%G %a' /dev/dpkit)\" = 'dpkit 640' ]"
check "dpkitctl status answers" show dpkitctl status

mkdir -p /etc/dpkit
cat > /etc/dpkit/dpkitd.conf <<-CONF
	# dpkitd.conf(5): one virtio NIC and a ring, one worker on CPU 1,
	# which dpkitd isolates while it runs.
	workers = 1
	isolate = 1
	eventdev = dsw
	hugepages = yes
	memory = 256
	[port p0]
	device = $D0
	[port p1]
	device = net_ring0
CONF
show cat /etc/dpkit/dpkitd.conf
start=$(date +%s)
check "systemctl start dpkitd: returns once dpkitd says READY=1" \
	show systemctl start dpkitd
echo "# systemctl start took $(( $(date +%s) - start )) s"
check "dpkitd.service is active, its status says it forwards" \
	sh -c "systemctl is-active -q dpkitd &&
	       systemctl show -p StatusText dpkitd | grep -q 'StatusText=forwarding: 1 worker; p0 up, p1 up'"
show systemctl status dpkitd
check "the NIC is on vfio-pci" nic_on vfio-pci
check "CPU 1 is isolated" \
	sh -c "dpkitctl --json isolate show | grep -q '\"isolated\": \"1\"'"
show journalctl -u dpkitd -o cat --no-pager
check "dpkitctl stats reads the service's dpkitd" show dpkitctl stats
dpkitctl metrics --format prometheus > "$tmp/metrics.prom"
check "dpkitctl metrics: dpkitd, the link page (its DPDK port) and the isolation" \
	sh -c "grep -qx 'dpkitd_up 1' '$tmp/metrics.prom' &&
	       grep -qx 'dpkit_link_up{name=\"p0\",owner=\"dpdk\"} 1' '$tmp/metrics.prom' &&
	       grep -qx 'dpkit_cpu_isolated{cpu=\"1\"} 1' '$tmp/metrics.prom' &&
	       grep -q '^dpkit_isolated_cpu_interrupts_total{cpu=\"1\",irq=\"LOC\"}' '$tmp/metrics.prom'"
check "... which promtool accepts" sh -c "promtool check metrics < '$tmp/metrics.prom'"
grep -E '^dpkit_(link|cpu|isolat)' "$tmp/metrics.prom" | sed 's/^/# /'

systemctl start dpkit-metrics
wait_for 10 fetch_metrics 127.0.0.1:9810
check "dpkit-metrics.service serves them on 127.0.0.1:9810" metrics_served
systemctl stop dpkit-metrics

# A stuck worker: its thread stopped from outside (ptrace). The pings
# stop; systemd kills dpkitd after WatchdogSec and restarts it after
# RestartSec, the lease giving the NIC back in between.
pid=$(systemctl show -p MainPID --value dpkitd)
tid=
for t in /proc/$pid/task/*; do
	case $(cat "$t/comm" 2>/dev/null) in *-worker-1) tid=${t##*/} ;; esac
done
echo "# dpkitd $pid, worker thread $tid"
python3 "$helpers/freeze_thread.py" "$tid" 120 > "$tmp/freeze.log" 2>&1 &
freezer=$!
check "the watchdog fires: systemd kills dpkitd" \
	wait_for 60 sh -c "grep -q gone '$tmp/freeze.log'"
check "... the lease gave the NIC back to $orig_driver before the restart" \
	wait_for 30 nic_on "$orig_driver"
check "... systemd restarted it (RestartSec), active again with a new pid" \
	wait_for 180 restarted
check "... and it has the NIC again" nic_on vfio-pci
wait "$freezer" 2>/dev/null
journalctl -u dpkitd -o short-monotonic --no-pager |
	grep -E 'no watchdog ping|[Ww]atchdog|Main process exited|Scheduled restart|Started|READY' |
	sed 's/^/# /'
check "... and its log named the stuck worker" \
	sh -c "journalctl -u dpkitd --no-pager | grep -q 'worker 0 (lcore 1) made no pass'"

start=$(date +%s)
check "dpkg --purge: every dpkit package" \
	show dpkg --purge dpkitd dpkitctl dpkit-dkms libdpkit-dev libdpkit0
echo "# dpkg --purge took $(( $(date +%s) - start )) s"
purged() {
	! pgrep -x dpkitd && [ ! -d /sys/module/dpkit ] && [ -z "$(dkms_ko)" ] &&
		[ -z "$(dkms status dpkit)" ] && [ ! -e /dev/dpkit ]
}
check "dpkitd stopped, the module unloaded and removed" purged
check "the NIC is back on $orig_driver" nic_on "$orig_driver"
check "the default IRQ affinity is back to $orig_affinity" \
	test "$(cat /proc/irq/default_smp_affinity)" = "$orig_affinity"
check "the units are gone" \
	sh -c "! systemctl cat dpkitd.service dpkit-metrics.service >/dev/null 2>&1"
check_dmesg_clean
finish
