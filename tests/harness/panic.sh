# SPDX-License-Identifier: GPL-2.0
# vm: smp=1 mem=512 timeout=120
#
# Harness self-test: a module that panics in init must end the VM; the
# harness must report the scenario failed (and keep the console log)
# instead of waiting for its timeout. scripts/check.sh expects failure.
echo "ok 1 - about to load a module that panics"
insmod "$DPKIT_TOP/build/harness/panic_mod/panic_mod.ko"
echo "ok 2 - still alive after the panic (the harness should not see this)"
