# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1 smp=2 mem=1024 timeout=300
#
# The permissions matrix: for every ioctl, for mmap (read-only, read-write,
# exec), mprotect (to write, to exec), read() and poll(), what root, a
# member of the udev rule's group, an unprivileged user and processes with
# one capability get, and whose capabilities count (the opener's).
# tests/kfuzz/permcheck.c makes each identity and tries each column; the
# expected table is below, one row per identity.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
rule=$DPKIT_TOP/udev/60-dpkit.rules
tmp=$(mktemp -d)
K0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:00)")
member_uid=60000

# What kmod/main.c grants (Documentation/link-state.rst, "Permissions"):
# opening needs the device's mode and group; VERSION, NIC_LIST,
# ISOLATE_GET, IRQ_REPORT, a read-only mapping, read() and poll() need
# nothing more; LEASE, LINK_REPORT and LINK_WATCH need CAP_NET_ADMIN;
# NIC_BIND, NIC_RESTORE, ISOLATE_SET and ISOLATE_CLEAR need CAP_SYS_ADMIN;
# every capability of the process that OPENED the file, never the caller's:
# root's fd passed to nobody does everything (fd-passed), a lease taken with
# CAP_NET_ADMIN keeps reporting after the capabilities are dropped
# (lease-dropped), and capabilities raised after the open do not count
# (caps-raised). A mapping is never writable or executable: mmap refuses
# with EPERM (EACCES from the VFS for PROT_WRITE on a read-only fd),
# mprotect with EACCES. "-": no fd to try.
expected_matrix() {
	cat <<'EOF'
identity       open_ro open_rw VERSION LEASE NIC_LIST NIC_BIND NIC_RESTORE ISOLATE_SET ISOLATE_GET ISOLATE_CLEAR IRQ_REPORT LINK_REPORT LINK_WATCH mmap_ro mmap_rw mmap_x mprotect_w mprotect_x read poll
root           ok      ok      ok      ok    ok       ok       ok          ok          ok          ok            ok         ok          ok         ok      EPERM   EPERM  EACCES     EACCES     ok   ok
group          ok      EACCES  ok      EPERM ok       EPERM    EPERM       EPERM       ok          EPERM         ok         EPERM       EPERM      ok      EACCES  EPERM  EACCES     EACCES     ok   ok
user           EACCES  EACCES  -       -     -        -        -           -           -           -             -          -           -          -       -       -      -          -          -    -
netadmin       ok      ok      ok      ok    ok       EPERM    EPERM       EPERM       ok          EPERM         ok         ok          ok         ok      EPERM   EPERM  EACCES     EACCES     ok   ok
sysadmin       ok      ok      ok      EPERM ok       ok       ok          ok          ok          ok            ok         EPERM       EPERM      ok      EPERM   EPERM  EACCES     EACCES     ok   ok
nocaps         ok      ok      ok      EPERM ok       EPERM    EPERM       EPERM       ok          EPERM         ok         EPERM       EPERM      ok      EPERM   EPERM  EACCES     EACCES     ok   ok
group-netadmin ok      EACCES  ok      ok    ok       EPERM    EPERM       EPERM       ok          EPERM         ok         ok          ok         ok      EACCES  EPERM  EACCES     EACCES     ok   ok
fd-passed      EACCES  EACCES  ok      ok    ok       ok       ok          ok          ok          ok            ok         ok          ok         ok      EPERM   EPERM  EACCES     EACCES     ok   ok
lease-dropped  ok      ok      ok      ok    ok       EPERM    EPERM       EPERM       ok          EPERM         ok         ok          ok         ok      EPERM   EPERM  EACCES     EACCES     ok   ok
caps-raised    ok      ok      ok      EPERM ok       EPERM    EPERM       EPERM       ok          EPERM         ok         EPERM       EPERM      ok      EPERM   EPERM  EACCES     EACCES     ok   ok
EOF
}

check "insmod dpkit.ko" insmod "$ko"
columns_match() {
	[ "$(expected_matrix | head -n 1 | tr -s ' ')" = "$("$PERMCHECK" header)" ]
}
check "the matrix's columns are permcheck's" columns_match

# The udev rule's group and mode, applied by hand (no udev in the guest).
group=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' "$rule")
mode=$(sed -n 's/.*MODE="\([^"]*\)".*/\1/p' "$rule")
gid=$(getent group "$group" | cut -d: -f3)
if [ -z "$gid" ]; then
	# /etc is the host's, read-only: the group goes into a copy.
	gid=$(awk -F: 'BEGIN { g = 990 } { used[$3] = 1 } END { while (used[g]) g--; print g }' /etc/group)
	cp /etc/group "$tmp/group"
	echo "$group:x:$gid:" >> "$tmp/group"
	mount --bind "$tmp/group" /etc/group
fi
check "the rule names a group ($group) and a mode ($mode)" \
	sh -c "[ -n '$group' ] && [ -n '$mode' ] && getent group '$group' >/dev/null"
check "before the rule, a member of $group cannot open the device" \
	sh -c "'$PERMCHECK' row group --gid $gid --uid $member_uid | grep -q ' open_ro=EACCES '"
chgrp "$group" /dev/dpkit && chmod "$mode" /dev/dpkit
echo "# /dev/dpkit: $(stat -c '%A %U:%G' /dev/dpkit)"

# One row: run it, compare each cell with the expected one (same order:
# see columns_match).
row_matches() {
	local who=$1 want got diff
	want=$(expected_matrix | awk -v who="$who" '$1 == who')
	got=$("$PERMCHECK" row "$who" --nic "$K0" --gid "$gid" --uid "$member_uid") || return 1
	echo "$got" >> "$tmp/actual"
	diff=$(awk -v want="$want" -v got="$got" 'BEGIN {
		split(want, w, " "); n = split(got, g, " ")
		for (i = 2; i <= n; i++) {
			split(g[i], kv, "=")
			if (kv[2] != w[i])
				printf "%s: expected %s, got %s\n", kv[1], w[i], kv[2]
		}
	}')
	"$PERMCHECK" cleanup || diff="$diff cleanup failed"
	[ "$(driver_of "$K0")" = e1000e ] || diff="$diff k0 left on $(driver_of "$K0")"
	[ -z "$diff" ] || { echo "$diff"; return 1; }
}

for who in $(expected_matrix | awk 'NR > 1 { print $1 }'); do
	check "permissions of $who" row_matches "$who"
done
echo "# the matrix as run:"
{ "$PERMCHECK" header; sed 's/ [A-Za-z_]*=/ /g' "$tmp/actual"; } | column -t | sed 's/^/#  /'

check "nothing is left isolated" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"
check "rmmod dpkit" bounded 60 rmmod dpkit
check_dmesg_clean
echo "# $SECONDS s"
finish
