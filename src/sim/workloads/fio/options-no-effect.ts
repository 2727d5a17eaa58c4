/**
 * fio options accepted with no effect on bounce buffering, grouped by the reason. A job file that uses
 * one gets a notice with the reason, once per option. Names and aliases from fio's options.c, its
 * engines' option tables and its profiles.
 */
export const NO_EFFECT_GROUPS: ReadonlyArray<readonly [reason: string, names: string]> = [
  [
    'where the data lands (files, offsets, zones, placement): the bounce pool sees sizes and timing, not addresses; every job runs on the simulated drive',
    'filename filetype directory filename_format unique_filename lockfile opendir offset fileoffset offset_align offset_increment file_service_type openfiles rw_sequencer randrepeat allrandrepeat randseed norandommap softrandommap random_generator random_distribution random_sequence_stride ba blockalign zonemode zonesize zonecapacity zonerange zoneskip read_beyond_wp max_open_zones job_max_open_zones ignore_zone_limits zone_reset_threshold zone_reset_frequency recover_zbd_write_error write_zone_remainder fdp dataplacement data_placement plid_select fdp_pli_select plids fdp_pli dp_scheme write_hint stream_id sprandom spr_num_regions spr_op spr_cs serialize_overlap',
  ],
  [
    'file management around the I/O (create, allocate, truncate, unlink, cache hints): no data transfer',
    'fallocate fadvise_hint file_append create_serialize create_fsync create_on_open create_only allow_file_create allow_mounted_write unlink unlink_each_loop invalidate pre_read overwrite',
  ],
  [
    'flush and sync commands carry no data to map',
    'fsync fdatasync write_barrier sync_file_range end_fsync fsync_on_close end_syncfs',
  ],
  [
    'the bytes written: a bounce copy costs the same whatever they are',
    'zero_buffers refill_buffers scramble_buffers buffer_pattern buffer_compress_percentage buffer_compress_chunk dedupe_percentage dedupe_global dedupe_mode dedupe_working_set_percentage iomem_align mem_align lockmem hugepage-size atomic',
  ],
  [
    'how fio checks data it reads back (CPU work); the read-back itself follows verify and do_verify',
    'verify_policy verifysort verifysort_nr verify_interval verify_offset verify_pattern verify_pattern_interval verify_fatal verify_dump verify_async verify_async_cpus experimental_verify verify_state_load verify_state_save verify_write_sequence verify_header_seed trim_percentage trim_verify_zero trim_backlog trim_backlog_batch verify_mode verify_bytchk',
  ],
  [
    'processes, threads, priorities and NUMA: the simulation runs each clone on one CPU and the devices have one queue class',
    'thread comm nice prio prioclass priohint cmdprio cmdprio_class cmdprio_hint cmdprio_percentage cmdprio_bssplit numa_cpu_nodes numa_mem_policy uid gid cgroup cgroup_nodelete cgroup_weight gpu_dev_id exec_prerun exec_postrun ioscheduler clocksource gtod_reduce gtod_cpu job_start_clock_id',
  ],
  [
    "logs and report settings: the simulation writes no logs, and --output-format fio-json prints fio's default report whatever these say (it refuses unified_rw_reporting mixed or both)",
    'write_bw_log write_lat_log write_iops_log write_hist_log per_job_logs log_entries log_avg_msec log_hist_msec log_hist_coarseness log_window_value log_max_value log_offset log_prio log_issue_time log_compression log_compression_cpus log_store_compressed log_alternate_epoch log_unix_epoch log_alternate_epoch_clock_id block_error_percentiles stats disable_lat disable_clat disable_slat disable_bw_measurement disable_bw disk_util significant_figures unit_base unified_rw_reporting write_iolog error_dump',
  ],
  [
    'ends or checks a job on a measured condition (latency or rate targets, steady state, errors by number); the simulation runs the job to its size or runtime, an upper bound on the bytes in flight',
    'rate_min ratemin rate_iops_min rate_cycle ratecycle max_latency latency_target latency_window latency_percentile latency_run steadystate ss steadystate_duration ss_dur steadystate_ramp_time ss_ramp steadystate_check_interval ss_interval exitall_on_error ignore_error',
  ],
  [
    'submission batching changes system calls, not the I/Os in flight',
    'iodepth_batch_submit iodepth_batch iodepth_batch_complete_max',
  ],
  [
    'used only with read_iolog, which is refused',
    'replay_no_stall replay_redirect replay_scale replay_align replay_time_scale replay_skip merge_blktrace_scalars merge_blktrace_iters read_iolog_chunked',
  ],
  [
    "an I/O engine's tuning (polling, registered buffers, queue setup, passthrough flags): the same data is mapped",
    'hipri hipri_percentage fixedbufs registerfiles sqthread_poll sqthread_poll_cpu nonvectored uncached nowait force_async cdb_len readfua writefua read_mode write_mode sg_write_mode md_per_io_size pi_act pi_chk apptag apptag_mask deac userspace_reap libaio_vectored libblkio_path libblkio_pre_connect_props libblkio_num_entries libblkio_queue_size libblkio_pre_start_props libblkio_vectored libblkio_write_zeroes_on_trim libblkio_wait_mode libblkio_force_enable_completion_eventfd xnvme_mem xnvme_async xnvme_sync xnvme_admin xnvme_dev_nsid xnvme_dev_subnqn xnvme_iovec thp no_completion_thread skip_bad',
  ],
  [
    'an option of an engine without block I/O (CPU burners, file operations, network and object stores): such jobs issue no block I/O',
    'cpuload cpumode cpuchunks exit_on_io_done program arguments grace_time std_redirect stat_type donorname inplace hostname port protocol proto nodelay listen pingpong interface ttl window_size mss bindname verb https http_host http_user http_pass http_s3_key http_s3_keyid http_s3_security_token http_swift_auth_token http_s3_region http_s3_sse_customer_key http_s3_sse_customer_algorithm http_s3_storage_class http_mode http_verbose http_object_mode clustername rbdname pool clientname conf busy_poll touch_objects rbd_encryption_format rbd_encryption_passphrase cont chunk_size chunck_size object_class svcl volume brick single-instance single_instance namenode hdfsdirectory hdfs_use_direct initiator uri nfs_url gpu_dev_ids cuda_io rocm_io',
  ],
  [
    'deprecated in fio, which prints "Option flow_watermark is deprecated" and ignores it (options.c, FIO_OPT_SOFT_DEPRECATED)',
    'flow_watermark',
  ],
  [
    'an option of a fio profile (tiobench, act); profile= is refused',
    'threads block numruns dir device-names load test-duration threads-per-queue read-req-num-512-blocks large-block-op-kbytes prep',
  ],
]

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
