# SPDX-License-Identifier: GPL-2.0
#
# dpkit. `make` builds the module and userspace; `make check` installs what
# the tests need and runs every tier (README, Documentation/testing.rst).

KVER	?= $(shell scripts/kver.sh)
KDIR	?= /usr/src/linux-headers-$(KVER)
O	?= build
PREFIX	?= /usr/local
DESTDIR	?=
LIBDIR	?= $(PREFIX)/lib
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
UDEVDIR	?= /etc/udev/rules.d
SYSTEMDDIR ?= /etc/systemd/system
KMOD_SRCS := $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) kmod/Kbuild
VERSION	:= $(shell sed -n 's/^\#define DPKIT_RELEASE[[:space:]]*"\(.*\)"/\1/p' kmod/internal.h)

# ---------------------------------------------------------------------------
# Userspace: warnings are errors; a second, sanitized (ASan + UBSan) build of
# the library is what the unit tests link against.

CC		?= cc
CFLAGS		?= -O2 -g
WARNINGS	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wformat=2 -Wundef -Wvla
DPKIT_CPPFLAGS	= -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib -Iuser/dpkitd $(LIB_CFLAGS)
DPKIT_CFLAGS	:= -std=gnu11 -fPIC $(WARNINGS)
# make DEBUG=1: dpkitd's debug checks (worker_rules.h: a worker task never
# returns to its loop holding a lock).
ifeq ($(DEBUG),1)
DPKIT_CPPFLAGS	+= -DDPK_DEBUG
endif
SANITIZE	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
CMOCKA		:= $(shell pkg-config --cflags --libs cmocka 2>/dev/null)
LIB_PKGS	:= libnl-genl-3.0 hwloc libmnl
LIB_CFLAGS	:= $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
DPDK_CFLAGS	:= $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS	:= $(shell pkg-config --libs libdpdk 2>/dev/null)
LIB_LIBS	:= $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
# dpkitctl reads dpkitd's telemetry (JSON) with jansson.
CTL_CFLAGS	:= $(shell pkg-config --cflags jansson 2>/dev/null)
CTL_LIBS	:= $(shell pkg-config --libs jansson 2>/dev/null)

U		:= $(O)/user
A		:= $(O)/asan
OBJ		:= $(O)/obj
LIB_SRCS	:= $(wildcard user/lib/*.c)
CTL_SRCS	:= $(wildcard user/dpkitctl/*.c)
# make STAGES="a.c b.c": your stages linked into dpkitd (dpkitd_stage.h);
# paths relative to the top of the tree. They run on the workers, so the
# build compiles them under the worker rules (worker_rules.h, included
# first); a stage's control function, which may block, goes in a file of
# STAGES_CONTROL instead.
STAGES		?=
STAGES_CONTROL	?=
DPKITD_SRCS	:= $(wildcard user/dpkitd/*.c) $(STAGES) $(STAGES_CONTROL)
# dpkitd's pure parts, linked into the unit tests too.
DPKITD_LIB	:= user/dpkitd/config.c user/dpkitd/flow.c user/dpkitd/plan.c \
		   user/dpkitd/notify.c
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_TESTS	:= $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)
PROBES		:= $(O)/tests/ioctl_probe $(O)/tests/linkprobe $(O)/tests/kregress \
		   $(O)/tests/docclient
# The compat ioctl path needs a 32-bit caller, where a -m32 libc exists.
HAVE_M32	:= $(shell echo 'int main(void){return 0;}' | \
		     $(CC) -m32 -static -x c - -o /dev/null 2>/dev/null && echo y)
ifeq ($(HAVE_M32),y)
PROBES		+= $(O)/tests/ioctl_probe32
endif
# The kernel fuzzer, stress and permissions helpers (tests/kfuzz).
KFUZZ		:= $(O)/tests/ioctl_fuzz $(O)/tests/kstress $(O)/tests/permcheck
ifeq ($(HAVE_M32),y)
KFUZZ		+= $(O)/tests/ioctl_fuzz32
endif

.PHONY: all kmod user progs unit-build check unit kunit vmtest lint clean \
	kmod-kunit kmod-for install help demo deb fuzz fuzz-build soak bench

all: kmod user

help:
	@echo "make            build dpkit.ko ($(KVER)) and userspace into $(O)/"
	@echo "make demo       the walk-through: dpkitd between two namespaces in a VM"
	@echo "make check      install test dependencies, run every test tier"
	@echo "make unit       cmocka tests (ASan + UBSan)"
	@echo "make kunit      KUnit suites on the cached test kernel, in a VM"
	@echo "make vmtest     every tests/vm scenario on the Debian kernel"
	@echo "make lint       checkpatch --strict on the kernel sources"
	@echo "make fuzz       every libFuzzer target for a few seconds (tests/fuzz)"
	@echo "make soak       every libFuzzer target for SOAK_SECONDS (600) each, then"
	@echo "                the ioctl fuzzer (1,000,000 calls) and a long stress run"
	@echo "                on the debug kernel, and the soak-only VM scenarios"
	@echo "make bench      dpkitd next to DPDK's own apps (root; not a test)"
	@echo "make install    PREFIX=/usr/local, DESTDIR=; the DKMS tree, unit, udev rule"
	@echo "make deb        Debian packages (debhelper, dh-dkms) into $(O)/deb/"

# ---------------------------------------------------------------------------
# Kernel module

kmod:
	@test -n "$(KVER)" -a -d "$(KDIR)" || { echo "no Debian kernel" \
		"headers in /usr/src (run scripts/deps.sh, or set KDIR)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod CONFIG_DPKIT=m W=1 modules

# The same sources for another kernel of the matrix, out of the tree:
# make kmod-for KVER=6.12.x-amd64 [KMOD_OUT=dir] (scripts/check.sh).
KMOD_OUT ?= $(O)/kmod/$(KVER)
kmod-for:
	@mkdir -p $(KMOD_OUT)
	cp -r $(KMOD_SRCS) kmod/tests $(KMOD_OUT)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(KMOD_OUT) W=1 CONFIG_DPKIT=m \
		DPKIT_UAPI=$(CURDIR)/include/uapi modules

# The same sources built against the KUnit test kernel, with the suites.
KUNIT_KDIR ?= $(shell scripts/testkernel.sh)
kmod-kunit:
	@mkdir -p $(O)/kunit/kmod
	cp -r $(KMOD_SRCS) kmod/tests $(O)/kunit/kmod/
	$(MAKE) -C $(KUNIT_KDIR) M=$(CURDIR)/$(O)/kunit/kmod W=1 \
		CONFIG_DPKIT=m CONFIG_DPKIT_KUNIT_TEST=m \
		DPKIT_UAPI=$(CURDIR)/include/uapi modules

# ---------------------------------------------------------------------------
# Userspace

# What `make install` and the packages ship; `user` adds the test helpers.
PROGS		:= $(U)/libdpkit.a $(U)/libdpkit.so $(U)/dpkitctl $(U)/dpkitd
progs: $(PROGS)
user: $(PROGS) $(PROBES) $(KFUZZ)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) $(CPPFLAGS) $(DPKIT_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(A)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) $(CPPFLAGS) $(DPKIT_CFLAGS) $(CFLAGS) $(SANITIZE) \
		-MMD -MP -c $< -o $@

$(U)/libdpkit.a: $(LIB_SRCS:%.c=$(OBJ)/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(U)/libdpkit.so: $(LIB_SRCS:%.c=$(OBJ)/%.o)
	$(CC) -shared -Wl,-soname,libdpkit.so.0 $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(OBJ)/user/dpkitctl/%.o: DPKIT_CPPFLAGS += $(CTL_CFLAGS)

$(U)/dpkitctl: $(CTL_SRCS:%.c=$(OBJ)/%.o) $(U)/libdpkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(CTL_LIBS)

$(O)/tests/ioctl_probe: tests/vm/helpers/ioctl_probe.c include/uapi/linux/dpkit.h
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) -o $@ $<

$(OBJ)/user/dpkitd/%.o $(STAGES:%.c=$(OBJ)/%.o) $(STAGES_CONTROL:%.c=$(OBJ)/%.o): \
		DPKIT_CPPFLAGS += $(DPDK_CFLAGS)
$(STAGES:%.c=$(OBJ)/%.o): DPKIT_CPPFLAGS += -include worker_rules.h

$(U)/dpkitd: $(DPKITD_SRCS:%.c=$(OBJ)/%.o) $(U)/libdpkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(DPDK_LIBS)

# The system calls' names, for the line a worker's forbidden call logs
# (user/dpkitd/privs.c): from the headers the compiler sees.
$(O)/gen/syscall_names.h:
	@mkdir -p $(@D)
	echo '#include <sys/syscall.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/{ __NR_\1, "\1" },/p' > $@
$(OBJ)/user/dpkitd/privs.o: $(O)/gen/syscall_names.h
$(OBJ)/user/dpkitd/privs.o: DPKIT_CPPFLAGS += -I$(O)/gen

$(O)/tests/linkprobe: $(OBJ)/tests/vm/helpers/linkprobe.o $(U)/libdpkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) -lpthread


# A client written from Documentation/link-state.rst and nic-isolation.rst
# alone: no dpkit include path, on purpose (tests/vm/11-abi-client.sh).
$(O)/tests/docclient: tests/vm/helpers/docclient.c
	@mkdir -p $(@D)
	$(CC) -D_GNU_SOURCE -std=gnu11 $(WARNINGS) $(CFLAGS) -o $@ $<

$(O)/tests/ioctl_probe32: tests/vm/helpers/ioctl_probe.c include/uapi/linux/dpkit.h
	@mkdir -p $(@D)
	$(CC) -m32 -static $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) \
		-o $@ $<

KT_DEPS		:= tests/kfuzz/kt.c tests/kfuzz/kt.h include/uapi/linux/dpkit.h

$(O)/tests/kregress: tests/vm/helpers/kregress.c $(KT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) -Itests/kfuzz -std=gnu11 $(WARNINGS) $(CFLAGS) \
		-o $@ $< tests/kfuzz/kt.c -lpthread

$(filter-out %32,$(KFUZZ)): $(O)/tests/%: tests/kfuzz/%.c $(KT_DEPS)
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) -o $@ $< \
		tests/kfuzz/kt.c -lpthread

$(O)/tests/ioctl_fuzz32: tests/kfuzz/ioctl_fuzz.c $(KT_DEPS)
	@mkdir -p $(@D)
	$(CC) -m32 -static $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) \
		-o $@ $< tests/kfuzz/kt.c

$(O)/tests/unit/%: $(A)/tests/unit/%.o $(LIB_SRCS:%.c=$(A)/%.o) \
		   $(DPKITD_LIB:%.c=$(A)/%.o)
	@mkdir -p $(@D)
	$(CC) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(CMOCKA) $(LIB_LIBS) -lpthread \
		$(UNIT_LIBS)

$(A)/tests/unit/%.o: DPKIT_CPPFLAGS += $(shell pkg-config --cflags cmocka 2>/dev/null)
# flow.c as dpkitd has it (DPDK's build needs SSE4.2: CRC32C).
$(A)/user/dpkitd/flow.o: DPKIT_CFLAGS += -msse4.2
# The worker's datapath test includes worker.c: DPDK's headers and
# libraries, no EAL.
$(A)/tests/unit/test_worker.o: DPKIT_CPPFLAGS += $(DPDK_CFLAGS)
$(O)/tests/unit/test_worker: UNIT_LIBS = $(DPDK_LIBS)
# Parking (idle.c, included): the rx interrupt calls, the monitor address,
# the epoll wait and rte_panic are the test's own.
comma		:= ,
IDLE_WRAPS	:= $(addprefix -Wl$(comma)--wrap=,rte_eth_dev_rx_intr_enable \
		   rte_eth_dev_rx_intr_disable rte_eth_get_monitor_addr \
		   rte_epoll_wait __rte_panic)
$(A)/tests/unit/test_idle.o: DPKIT_CPPFLAGS += $(DPDK_CFLAGS)
$(O)/tests/unit/test_idle: UNIT_LIBS = $(IDLE_WRAPS) $(DPDK_LIBS)

unit-build: $(UNIT_TESTS)

# ---------------------------------------------------------------------------
# Fuzzing (tests/fuzz, Documentation/reliability.rst): libFuzzer targets,
# built with clang, ASan and UBSan, over the library and dpkitd's parsers.

FUZZ_CC		?= clang-14
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
FUZZ_TARGETS	:= $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FZ		:= $(O)/fuzzobj
SOAK_SECONDS	?= 600

$(FZ)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(DPKIT_CPPFLAGS) -Itests/fuzz $(DPKIT_CFLAGS) -O1 -g \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(O)/fuzz/%: $(FZ)/tests/fuzz/%.o $(LIB_SRCS:%.c=$(FZ)/%.o) \
	     $(DPKITD_LIB:%.c=$(FZ)/%.o)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIB_LIBS)

fuzz-build: $(FUZZ_TARGETS)

.SECONDARY:

# ---------------------------------------------------------------------------
# Install: the library (static, shared, header, pkg-config), dpkitctl and
# dpkitd with their man pages and bash completion, the systemd unit, the
# udev rule, and the module's sources as a DKMS tree. `make deb` installs
# through this with Debian's paths (packaging/debian/rules).

SRCDIR	:= $(DESTDIR)/usr/src/dpkit-$(VERSION)

install: $(PROGS)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/linux \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)$(MODULESLOADDIR) \
		$(SRCDIR)/kmod/tests $(SRCDIR)/include/uapi/linux
	install -m 644 $(U)/libdpkit.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(U)/libdpkit.so $(DESTDIR)$(LIBDIR)/libdpkit.so.0
	ln -sf libdpkit.so.0 $(DESTDIR)$(LIBDIR)/libdpkit.so
	install -m 644 user/lib/libdpkit.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/uapi/linux/dpkit.h $(DESTDIR)$(PREFIX)/include/linux/
	sed 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@VERSION@|$(VERSION)|' \
		packaging/libdpkit.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libdpkit.pc
	install -m 755 $(U)/dpkitctl $(U)/dpkitd $(DESTDIR)$(SBINDIR)/
	for unit in dpkitd dpkit-metrics; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/$$unit.service.in \
			> $(DESTDIR)$(SYSTEMDDIR)/$$unit.service || exit 1; \
	done
	install -m 644 Documentation/dpkitctl.8 Documentation/dpkitd.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -m 644 Documentation/dpkitd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 packaging/dpkitctl.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/dpkitctl
	install -m 644 udev/60-dpkit.rules $(DESTDIR)$(UDEVDIR)/
	install -m 644 packaging/dpkitd-modules.conf $(DESTDIR)$(MODULESLOADDIR)/dpkitd.conf
	install -m 644 $(KMOD_SRCS) $(SRCDIR)/kmod/
	install -m 644 kmod/tests/*.c $(SRCDIR)/kmod/tests/
	install -m 644 include/uapi/linux/dpkit.h $(SRCDIR)/include/uapi/linux/
	sed 's|@VERSION@|$(VERSION)|' packaging/dkms.conf > $(SRCDIR)/dkms.conf

# Debian packages, built by dpkg-buildpackage from a copy of the tracked
# files with packaging/debian as its debian/: the .debs land in $(O)/deb/.
DEB_SRC	:= $(O)/deb/dpkit-$(VERSION)

deb:
	rm -rf $(O)/deb
	mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp -a --parents -t $(DEB_SRC)
	cp -a packaging/debian $(DEB_SRC)/debian
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc -jauto
	rm -rf $(DEB_SRC)

# ---------------------------------------------------------------------------
# Tests: every tier goes through scripts/check.sh, which counts the results.

demo:
	scripts/deps.sh
	$(MAKE) all
	scripts/demo.sh

check:
	scripts/check.sh

unit:
	scripts/check.sh unit

kunit:
	scripts/check.sh kunit

vmtest:
	scripts/check.sh vm

lint:
	scripts/check.sh lint

fuzz:
	scripts/check.sh fuzz

# Every fuzz target for SOAK_SECONDS (default 600) instead of the check's
# few, then the kernel's soak (the ioctl fuzzer's 1,000,000 calls and a long
# stress run on the debug kernel).
soak:
	FUZZ_SECONDS=$(SOAK_SECONDS) scripts/check.sh fuzz ksoak vmsoak

# Benchmarks: never part of make check (Documentation/benchmarks.rst).
bench: user
	bench/run.sh

clean:
	rm -rf $(O)
	$(MAKE) -C kmod -f /dev/null clean 2>/dev/null; \
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		kmod/modules.order kmod/Module.symvers kmod/tests/*.o \
		kmod/tests/.*.cmd

-include $(shell find $(O) -path $(O)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
