# SPDX-License-Identifier: GPL-2.0
# vm: smp=1 mem=512 timeout=45
#
# Harness self-test: a scenario that never ends must be killed at its
# timeout and reported failed. scripts/check.sh expects failure.
echo "ok 1 - about to hang"
sleep 100000
