#!/bin/sh
# A dma-throttle sweep split into 4 shards with GNU parallel: on this machine, or on others with
# `parallel -S host1,host2 …` (dma-throttle installed on each). Each shard writes its JSON Lines; merge
# prints what one unsharded run prints.
#
#   sh docs/recipes/gnu-parallel.sh
set -eu
N=4
seq 1 "$N" | parallel -j "$N" "dma-throttle sweep coco-fio --pools 32M,48M,56M,64M --seeds 20 --jobs 1 --shard {}/$N > shard-{}.jsonl"
dma-throttle merge shard-*.jsonl
