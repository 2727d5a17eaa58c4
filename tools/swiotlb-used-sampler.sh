#!/bin/sh
# swiotlb-used-sampler.sh: the swiotlb's debugfs counters at an interval, one line per sample.
#
#   sudo sh tools/swiotlb-used-sampler.sh [interval in seconds, default 1] [samples, default: until
#   Ctrl-C] > used.txt
#
# Reads /sys/kernel/debug/swiotlb (kernel/dma/swiotlb.c, swiotlb_create_debugfs_files): io_tlb_used
# (slots in use now), io_tlb_used_hiwater (the most ever in use, since 6.4; written 0 to reset) and
# io_tlb_nslabs (slots in the pool). A slot is 2 KiB. A file the kernel lacks, or that cannot be read,
# is written -1: io_tlb_used_hiwater is mode 0600, and a kernel in lockdown (Secure Boot) refuses to
# open a debugfs file that has a write bit (fs/debugfs/file.c, debugfs_locked_down), so there it
# reads -1 while the 0400 files still read (kernels without the 2022 fix "debugfs: lockdown: Allow
# reading debugfs files that are not world readable" refuse those too: the sampler then stops).
#
# Needs root (the files are mode 0400 and 0600) and debugfs mounted:
#   mount -t debugfs none /sys/kernel/debug
# Set SWIOTLB_DEBUGFS to read another directory (a restricted-DMA pool has its own, named after its
# reserved-memory node, under /sys/kernel/debug/swiotlb).
#
# Output: a header line, then "<time ns> <used> <hiwater> <nslabs>"; time is the wall clock
# (date +%s%N). A sample is what a poller sees: peaks shorter than the interval are missed, which is
# what `dma-throttle replay` reports as the sampled hiwater beside the exact one.
set -eu

interval=${1:-1}
samples=${2:-0}
dir=${SWIOTLB_DEBUGFS:-/sys/kernel/debug/swiotlb}

case $samples in
  '' | *[!0-9]*)
    echo "swiotlb-used-sampler: samples must be a whole number, got '$samples'" >&2
    exit 2
    ;;
esac

# Open it, not only test it: root passes `test -r` on any file, whatever the kernel then says.
if ! cat "$dir/io_tlb_used" >/dev/null 2>&1; then
  echo "swiotlb-used-sampler: cannot read $dir/io_tlb_used (root? debugfs mounted? CONFIG_DEBUG_FS? kernel lockdown?)" >&2
  exit 1
fi

# One counter, or -1: never an empty field, which would shift the columns after it.
value() {
  v=$(cat "$dir/$1" 2>/dev/null) || v=-1
  echo "${v:--1}"
}

echo "# dma-throttle-used v1 interval=${interval}s dir=$dir"
echo "# time_ns used hiwater nslabs"
n=0
while :; do
  echo "$(date +%s%N) $(value io_tlb_used) $(value io_tlb_used_hiwater) $(value io_tlb_nslabs)"
  n=$((n + 1))
  if [ "$samples" -gt 0 ] && [ "$n" -ge "$samples" ]; then break; fi
  sleep "$interval"
done
