#!/bin/sh
# swiotlb-used-sampler.sh: the swiotlb's debugfs counters at an interval, one line per sample.
#
#   sudo sh tools/swiotlb-used-sampler.sh [interval in seconds, default 1] > used.txt   # Ctrl-C to stop
#
# Reads /sys/kernel/debug/swiotlb (kernel/dma/swiotlb.c, swiotlb_create_debugfs_files): io_tlb_used
# (slots in use now), io_tlb_used_hiwater (the most ever in use, since 6.4; written 0 to reset) and
# io_tlb_nslabs (slots in the pool). A slot is 2 KiB. A file the kernel lacks is written -1.
#
# Needs root (the files are mode 0400 and 0600) and debugfs mounted:
#   mount -t debugfs none /sys/kernel/debug
# Set SWIOTLB_DEBUGFS to read another directory (a restricted-DMA pool has its own).
#
# Output: a header line, then "<time ns> <used> <hiwater> <nslabs>"; time is the wall clock
# (date +%s%N). A sample is what a poller sees: peaks shorter than the interval are missed, which is
# what `dma-throttle replay` reports as the sampled hiwater beside the exact one.
set -eu

interval=${1:-1}
dir=${SWIOTLB_DEBUGFS:-/sys/kernel/debug/swiotlb}

if [ ! -r "$dir/io_tlb_used" ]; then
  echo "swiotlb-used-sampler: cannot read $dir/io_tlb_used (root? debugfs mounted? CONFIG_DEBUG_FS?)" >&2
  exit 1
fi

value() {
  if [ -r "$dir/$1" ]; then cat "$dir/$1"; else echo -1; fi
}

echo "# dma-throttle-used v1 interval=${interval}s dir=$dir"
echo "# time_ns used hiwater nslabs"
while :; do
  echo "$(date +%s%N) $(value io_tlb_used) $(value io_tlb_used_hiwater) $(value io_tlb_nslabs)"
  sleep "$interval"
done
