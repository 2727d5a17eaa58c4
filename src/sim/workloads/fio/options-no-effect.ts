/**
 * fio options accepted with no effect on bounce buffering, grouped by the reason. A job file that uses
 * one gets a notice with the reason, once per option. Names and aliases from fio's options.c, its
 * engines' option tables and its profiles (fio 3.42), each with the type of its value after the ':'
 * (no-effect-values.ts says what the codes mean): a value fio refuses is refused, as for modelled
 * options.
 */
export const NO_EFFECT_GROUPS: ReadonlyArray<readonly [reason: string, names: string]> = [
  [
    'where the data lands (files, offsets, zones, placement): the bounce pool sees sizes and timing, not addresses; every job runs on the simulated drive',
    'filename:text filetype:word(none|file|block|char) directory:text filename_format:text unique_filename:bool lockfile:word(none|exclusive|readwrite) opendir:text offset:zone fileoffset:zone offset_align:int offset_increment:zone file_service_type:service(random|zipf|pareto|normal|gauss|roundrobin|sequential) openfiles:int rw_sequencer:word(sequential|identical) randrepeat:bool allrandrepeat:bool randseed:size norandommap:set softrandommap:bool random_generator:word(tausworthe|lfsr|tausworthe64) random_distribution:distribution(random|zipf|pareto|normal|zoned|zoned_abs|sequence) random_sequence_stride:bool ba:size(1..) blockalign:size(1..) zonemode:word(none|strided|zbd) zonesize:size zonecapacity:size zonerange:size zoneskip:zone read_beyond_wp:bool max_open_zones:int(..4096) job_max_open_zones:int(..4096) ignore_zone_limits:bool zone_reset_threshold:float(0..1) zone_reset_frequency:float(0..1) recover_zbd_write_error:bool write_zone_remainder:bool fdp:bool dataplacement:word(none|fdp|streams) data_placement:word(none|fdp|streams) plid_select:word(random|roundrobin|scheme) fdp_pli_select:word(random|roundrobin|scheme) plids:ids fdp_pli:ids dp_scheme:text write_hint:word(none|short|medium|long|extreme) stream_id:int sprandom:bool spr_num_regions:int spr_op:float spr_cs:size serialize_overlap:bool',
  ],
  [
    'file management around the I/O (create, allocate, truncate, unlink, cache hints): no data transfer',
    'fallocate:word(none|native|posix|keep|truncate|0|1) fadvise_hint:word(0|1|random|sequential|noreuse) file_append:bool create_serialize:bool create_fsync:bool create_on_open:bool create_only:bool allow_file_create:bool allow_mounted_write:bool unlink:bool unlink_each_loop:bool invalidate:bool pre_read:bool overwrite:bool',
  ],
  [
    'flush and sync commands carry no data to map',
    'fsync:int fdatasync:int write_barrier:int sync_file_range:words(wait_before|write|wait_after) end_fsync:bool fsync_on_close:bool end_syncfs:bool',
  ],
  [
    'the bytes written: a bounce copy costs the same whatever they are',
    'zero_buffers:set refill_buffers:set scramble_buffers:bool buffer_pattern:pattern buffer_compress_percentage:int(..100) buffer_compress_chunk:int dedupe_percentage:int(..100) dedupe_global:bool dedupe_mode:word(repeat|working_set) dedupe_working_set_percentage:int(..100) iomem_align:int mem_align:int lockmem:size hugepage-size:int atomic:bool',
  ],
  [
    'how fio checks data it reads back (CPU work); the read-back itself follows verify and do_verify',
    'verify_policy:words(completed|fsynced) verifysort:value verifysort_nr:value verify_interval:int(96..) verify_offset:int(48..) verify_pattern:pattern(%o) verify_pattern_interval:int verify_fatal:bool verify_dump:bool verify_async:int verify_async_cpus:cpus experimental_verify:bool verify_state_load:bool verify_state_save:bool verify_write_sequence:bool verify_header_seed:bool trim_percentage:int(..100) trim_verify_zero:bool trim_backlog:size trim_backlog_batch:int verify_mode:word(read|compare) verify_bytchk:word(0|1|3)',
  ],
  [
    'processes, threads, priorities and NUMA: the simulation runs each clone on one CPU and the devices have one queue class',
    'thread:set comm:text nice:int(-20..19) prio:int(..7) prioclass:int(..3) priohint:int(..1023) cmdprio:int(0..7) cmdprio_class:int(1..3) cmdprio_hint:int(0..1023) cmdprio_percentage:int(0..100) cmdprio_bssplit:text numa_cpu_nodes:nodes numa_mem_policy:mpol uid:int gid:int cgroup:text cgroup_nodelete:bool cgroup_weight:int(100..1000) gpu_dev_id:int exec_prerun:text exec_postrun:text ioscheduler:text clocksource:word(gettimeofday|clock_gettime|cpu) gtod_reduce:bool gtod_cpu:int job_start_clock_id:int',
  ],
  [
    "logs and report settings: the simulation writes no logs, and --output-format fio-json prints fio's default report whatever these say (it refuses unified_rw_reporting mixed or both)",
    'write_bw_log:any write_lat_log:any write_iops_log:any write_hist_log:any per_job_logs:bool log_entries:int(1024..1048576) log_avg_msec:int log_hist_msec:int log_hist_coarseness:int(..6) log_window_value:word(avg|max|both|0|1) log_max_value:word(avg|max|both|0|1) log_offset:bool log_prio:bool log_issue_time:bool log_compression:int(1024..536870912) log_compression_cpus:cpus log_store_compressed:bool log_alternate_epoch:bool log_unix_epoch:bool log_alternate_epoch_clock_id:int block_error_percentiles:bool stats:bool disable_lat:bool disable_clat:bool disable_slat:bool disable_bw_measurement:bool disable_bw:bool disk_util:bool significant_figures:int(1..10) unit_base:word(0|8|1) unified_rw_reporting:word(none|mixed|both|0|1|2) write_iolog:text error_dump:bool',
  ],
  [
    'ends or checks a job on a measured condition (latency or rate targets, steady state, errors by number); the simulation runs the job to its size or runtime, an upper bound on the bytes in flight',
    'rate_min:size ratemin:size rate_iops_min:int rate_cycle:int ratecycle:int max_latency:time latency_target:time latency_window:time latency_percentile:float(0..100) latency_run:bool steadystate:steady(iops|iops_slope|bw|bw_slope|lat|lat_slope) ss:steady(iops|iops_slope|bw|bw_slope|lat|lat_slope) steadystate_duration:time ss_dur:time steadystate_ramp_time:time ss_ramp:time steadystate_check_interval:time ss_interval:time exitall_on_error:set ignore_error:errors',
  ],
  [
    'submission batching changes system calls, not the I/Os in flight',
    'iodepth_batch_submit:int iodepth_batch:int iodepth_batch_complete_max:int',
  ],
  [
    'used only with read_iolog, which is refused',
    'replay_no_stall:bool replay_redirect:text replay_scale:int replay_align:int(pow2) replay_time_scale:int(1..) replay_skip:each(read|write|trim|sync) merge_blktrace_scalars:floats merge_blktrace_iters:floats read_iolog_chunked:bool',
  ],
  [
    "an I/O engine's tuning (polling, registered buffers, queue setup, passthrough flags): the same data is mapped",
    'hipri:set hipri_percentage:int(..100) fixedbufs:set registerfiles:set sqthread_poll:set sqthread_poll_cpu:int nonvectored:int uncached:int nowait:bool force_async:int cdb_len:word(0|10|16|32) readfua:bool writefua:bool read_mode:word(read|prefetch) write_mode:wmode sg_write_mode:word(write|write_and_verify|verify|write_same|same|write_same_ndob|verify_bytchk_00|verify_bytchk_01|verify_bytchk_11|write_stream) md_per_io_size:int pi_act:bool pi_chk:text apptag:int apptag_mask:int deac:bool userspace_reap:set libaio_vectored:bool libblkio_path:text libblkio_pre_connect_props:text libblkio_num_entries:int(1..) libblkio_queue_size:int(1..) libblkio_pre_start_props:text libblkio_vectored:set libblkio_write_zeroes_on_trim:set libblkio_wait_mode:word(block|eventfd|loop) libblkio_force_enable_completion_eventfd:set xnvme_mem:text xnvme_async:text xnvme_sync:text xnvme_admin:text xnvme_dev_nsid:int xnvme_dev_subnqn:text xnvme_iovec:set thp:int no_completion_thread:set skip_bad:bool',
  ],
  [
    'an option of an engine without block I/O (CPU burners, file operations, network and object stores): such jobs issue no block I/O',
    'cpuload:int cpumode:word(noop|qsort) cpuchunks:int exit_on_io_done:bool program:text arguments:text grace_time:int std_redirect:bool stat_type:word(stat|lstat|statx) donorname:text inplace:int(..1) hostname:text port:int(1..65535) protocol:word(tcp|tcpv6|udp|udpv6|unix|vsock) proto:word(tcp|tcpv6|udp|udpv6|unix|vsock) nodelay:bool listen:set pingpong:set interface:text ttl:int window_size:int mss:int bindname:text verb:word(write|read|send|recv) https:word(off|on|insecure) http_host:text http_user:text http_pass:text http_s3_key:text http_s3_keyid:text http_s3_security_token:text http_swift_auth_token:text http_s3_region:text http_s3_sse_customer_key:text http_s3_sse_customer_algorithm:text http_s3_storage_class:text http_mode:word(webdav|s3|swift) http_verbose:int http_object_mode:word(block|range) clustername:text rbdname:text pool:text clientname:text conf:text busy_poll:bool touch_objects:bool rbd_encryption_format:text rbd_encryption_passphrase:text cont:text chunk_size:int chunck_size:int object_class:text svcl:text volume:text brick:text single-instance:bool single_instance:bool namenode:text hdfsdirectory:text hdfs_use_direct:bool initiator:text uri:text nfs_url:text gpu_dev_ids:text cuda_io:word(cufile|posix) rocm_io:word(hipfile|posix)',
  ],
  [
    'deprecated in fio, which prints "Option flow_watermark is deprecated" and ignores it (options.c, FIO_OPT_SOFT_DEPRECATED)',
    'flow_watermark:value',
  ],
  [
    'an option of a fio profile (tiobench, act); profile= is refused',
    'threads:int block:int numruns:int dir:text device-names:text load:int test-duration:time threads-per-queue:int read-req-num-512-blocks:int large-block-op-kbytes:int prep:set',
  ],
]

/**
 * The value type of a no-effect option under an engine whose table gives the name another type than
 * the one above: rdma's `proto` is its `verb` (engines/rdma.c), net's is `protocol` (engines/net.c).
 */
export const ENGINE_VALUE_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  proto: { rdma: 'word(write|read|send|recv)' },
}

/** Why an option is refused: it changes the bytes in flight in a way the simulation does not model. */
export const REFUSED_OPTIONS: Readonly<Record<string, string>> = {
  read_iolog: 'replays a recorded I/O log: not simulated (use a JSON spec)',
  merge_blktrace_file: 'merges blktraces for replay: not simulated',
  profile: 'fio profiles generate their own jobs: write the jobs out instead',
  ramp_size: 'a ramp measured in bytes is not modelled: use ramp_time',
  // options.c: FIO_OPT_DEPRECATED (not SOFT_DEPRECATED): parse.c __handle_option prints "Option … is
  // deprecated" and fails, and fio drops the job ("failed parsing").
  rwmixcycle: 'deprecated: fio rejects the job ("Option rwmixcycle is deprecated", "failed parsing")',
  percentage_sequential:
    'deprecated: fio rejects the job ("Option percentage_sequential is deprecated", "failed parsing"); write percentage_random=100-N',
}
