# SPDX-License-Identifier: GPL-2.0
#
# dpkit. `make` builds the module and userspace; `make check` installs what
# the tests need and runs every tier (README, Documentation/testing.rst).

KVER	?= $(shell scripts/kver.sh)
KDIR	?= /usr/src/linux-headers-$(KVER)
O	?= build
PREFIX	?= /usr/local
DESTDIR	?=
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
DPKITD_LIB	:= user/dpkitd/config.c user/dpkitd/flow.c user/dpkitd/plan.c
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)
UNIT_TESTS	:= $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)
PROBES		:= $(O)/tests/ioctl_probe $(O)/tests/linkprobe $(O)/tests/kregress
# The compat ioctl path needs a 32-bit caller, where a -m32 libc exists.
HAVE_M32	:= $(shell echo 'int main(void){return 0;}' | \
		     $(CC) -m32 -static -x c - -o /dev/null 2>/dev/null && echo y)
ifeq ($(HAVE_M32),y)
PROBES		+= $(O)/tests/ioctl_probe32
endif

.PHONY: all kmod user unit-build check unit kunit vmtest lint clean \
	kmod-kunit kmod-for install help demo fuzz fuzz-build soak bench

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
	@echo "make soak       every libFuzzer target for SOAK_SECONDS (600) each"
	@echo "make bench      dpkitd next to DPDK's own apps (root; not a test)"

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

user: $(U)/libdpkit.a $(U)/libdpkit.so $(U)/dpkitctl $(U)/dpkitd $(PROBES)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) $(DPKIT_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(A)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) $(DPKIT_CFLAGS) $(CFLAGS) $(SANITIZE) \
		-MMD -MP -c $< -o $@

$(U)/libdpkit.a: $(LIB_SRCS:%.c=$(OBJ)/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(U)/libdpkit.so: $(LIB_SRCS:%.c=$(OBJ)/%.o)
	$(CC) -shared -Wl,-soname,libdpkit.so.0 $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

$(U)/dpkitctl: $(CTL_SRCS:%.c=$(OBJ)/%.o) $(U)/libdpkit.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIB_LIBS)

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

$(O)/tests/kregress: tests/vm/helpers/kregress.c include/uapi/linux/dpkit.h
	@mkdir -p $(@D)
	$(CC) $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) -o $@ $< -lpthread

$(O)/tests/ioctl_probe32: tests/vm/helpers/ioctl_probe.c include/uapi/linux/dpkit.h
	@mkdir -p $(@D)
	$(CC) -m32 -static $(DPKIT_CPPFLAGS) -std=gnu11 $(WARNINGS) $(CFLAGS) \
		-o $@ $<

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
# Install: the library (static, shared, header, pkg-config), dpkitctl, its
# man page, the udev rule, and the module's sources as a DKMS tree.

install: user
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/linux \
		$(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(UDEVDIR) $(DESTDIR)$(SYSTEMDDIR) \
		$(DESTDIR)/usr/src/dpkit-$(VERSION)/kmod/tests \
		$(DESTDIR)/usr/src/dpkit-$(VERSION)/include/uapi/linux
	install -m 644 $(U)/libdpkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(U)/libdpkit.so $(DESTDIR)$(PREFIX)/lib/libdpkit.so.0
	ln -sf libdpkit.so.0 $(DESTDIR)$(PREFIX)/lib/libdpkit.so
	install -m 644 user/lib/libdpkit.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/uapi/linux/dpkit.h $(DESTDIR)$(PREFIX)/include/linux/
	sed 's|@PREFIX@|$(PREFIX)|; s|@VERSION@|$(VERSION)|' packaging/libdpkit.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/libdpkit.pc
	install -m 755 $(U)/dpkitctl $(U)/dpkitd $(DESTDIR)$(PREFIX)/sbin/
	sed 's|@PREFIX@|$(PREFIX)|' packaging/dpkitd.service.in \
		> $(DESTDIR)$(SYSTEMDDIR)/dpkitd.service
	install -m 644 Documentation/dpkitctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 udev/60-dpkit.rules $(DESTDIR)$(UDEVDIR)/
	install -m 644 $(KMOD_SRCS) $(DESTDIR)/usr/src/dpkit-$(VERSION)/kmod/
	install -m 644 kmod/tests/*.c $(DESTDIR)/usr/src/dpkit-$(VERSION)/kmod/tests/
	install -m 644 include/uapi/linux/dpkit.h \
		$(DESTDIR)/usr/src/dpkit-$(VERSION)/include/uapi/linux/
	sed 's|@VERSION@|$(VERSION)|' packaging/dkms.conf \
		> $(DESTDIR)/usr/src/dpkit-$(VERSION)/dkms.conf

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

# Every fuzz target for SOAK_SECONDS (default 600) instead of the check's few.
soak:
	FUZZ_SECONDS=$(SOAK_SECONDS) scripts/check.sh fuzz

# Benchmarks: never part of make check (Documentation/benchmarks.rst).
bench: user
	bench/run.sh

clean:
	rm -rf $(O)
	$(MAKE) -C kmod -f /dev/null clean 2>/dev/null; \
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		kmod/modules.order kmod/Module.symvers kmod/tests/*.o \
		kmod/tests/.*.cmd

-include $(shell find $(O) -name '*.d' 2>/dev/null)
