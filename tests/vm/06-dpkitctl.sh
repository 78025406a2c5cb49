# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1 smp=4 mem=1024 timeout=600
#
# Every dpkitctl command end to end on the real module, the way the admin
# guide (Documentation/admin-guide.rst) shows them; their output goes to
# the log as "# " lines, which is where the guide's examples come from.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
export DPKIT_OVERRIDES=$tmp/overrides.conf
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
d0=$(netdev_by_mac 52:54:00:dc:01:01)

# show CMD...: run dpkitctl, put "$ dpkitctl ..." and its output in the log
# (fd 9: the scenario's own output, which `check` does not capture).
exec 9>&1
show() {
	local rc
	"$DPKITCTL" "$@" > "$tmp/out" 2>&1
	rc=$?
	{ echo "# \$ dpkitctl $*"; sed 's/^/# /' "$tmp/out"; } >&9
	return $rc
}

check "without the module: status says how to load it" \
	sh -c "'$DPKITCTL' status 2>&1 | grep -q 'dpkit.ko is not loaded (/dev/dpkit is missing): insmod'"
check_not "without the module: status fails" show status
check "insmod dpkit.ko" insmod "$ko"
check "status" show status
check "topology (no isolation yet: no placement)" show topology
check "--help for a command" sh -c "'$DPKITCTL' nic bind --help | grep -q '^Usage: dpkitctl nic bind BDF'"
check "unknown command: exit 2" sh -c "'$DPKITCTL' frobnicate; [ \$? = 2 ]"

check "nic list" show nic list
ip link set "$d0" up
check "link show" show link show
check "link dump" show link dump

"$DPKITCTL" link watch --timeout 60 > "$tmp/watch" 2> "$tmp/watch.err" &
watcher=$!
wait_for 10 grep -q watching "$tmp/watch.err"
host set_link d0 off
wait_for 10 grep -q "$d0 kernel:.* no-carrier" "$tmp/watch"
host set_link d0 on
wait_for 10 grep -q "$d0 kernel:.* up" "$tmp/watch"
kill -INT "$watcher"
wait "$watcher"
watch_rc=$?
echo "# \$ dpkitctl link watch      (QEMU: set_link d0 off, then on; ^C)"
sed 's/^/# /' "$tmp/watch"
check "link watch saw the flap and exited 0 on ^C" \
	sh -c "[ $watch_rc = 0 ] && grep -q no-carrier '$tmp/watch' && grep -q ' up ' '$tmp/watch'"

ip link set "$d0" down
check "nic bind (to vfio-pci, persistent)" show nic bind "$D0" --persist
check "nic list after the bind" show nic list
check "nic restore" show nic restore "$D0"
check_not "nic bind of a missing device" show nic bind 0000:00:1e.0

check "isolate set 2-3" show isolate set 2-3
check "isolate show" show isolate show
check "topology (the isolated CPUs get the workers)" show topology
check "isolate verify 2" show isolate verify 2
cat > "$tmp/dpkitd.conf" <<-CONF
	workers = 2
	eventdev = none
	hugepages = yes
	memory = 256
	[port p0]
	device = $D0
	[port p1]
	device = net_ring0
CONF
"$DPKIT_BUILD/user/dpkitd" -c "$tmp/dpkitd.conf" --check-config > "$tmp/plan" 2>&1
plan_rc=$?
{ echo "# \$ dpkitd -c dpkitd.conf --check-config"; sed 's/^/# /' "$tmp/plan"; } >&9
check "dpkitd --check-config places 2 workers on the isolated CPUs" \
	sh -c "[ $plan_rc = 0 ] && grep -q 'worker 0: CPU 2' '$tmp/plan' &&
	       grep -q 'worker 1: CPU 3' '$tmp/plan' &&
	       grep -q -- '--lcores 0@0,1@2,2@3 .* -a $D0 --vdev net_ring0' '$tmp/plan'"
check "--json isolate show parses" \
	sh -c "'$DPKITCTL' --json isolate show | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"isolated\"] == \"2-3\"'"
check "isolate clear" show isolate clear
check_not "isolate set with a bad list: usage error" show isolate set 1-x
check "rmmod" rmmod dpkit
check_dmesg_clean
finish
