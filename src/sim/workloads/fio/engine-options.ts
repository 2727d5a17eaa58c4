/**
 * Options that belong to an I/O engine, not to fio: each engine's own option table. fio parses a job's
 * core options first, then loads the job's engine and reads the options left over against that
 * engine's table alone (options.c, fio_options_parse); one that is not there is a "Bad option" and the
 * job is dropped. Source: fio 3.42, engines/*.c, each `struct fio_option options[]` attached through
 * `.options` in its ioengine_ops (io_uring and libaio add CMDPRIO_OPTIONS from engines/cmdprio.h; gfapi
 * and gfapi_async share glusterfs.c's gfapi_options). Engines not listed have no options of their own.
 */
const TABLE: ReadonlyArray<readonly [engines: string, options: string]> = [
  [
    'io_uring io_uring_cmd',
    'hipri readfua writefua write_mode verify_mode fixedbufs registerfiles sqthread_poll sqthread_poll_cpu nonvectored uncached nowait force_async cmd_type cdb_len verify_bytchk read_mode md_per_io_size pi_act pi_chk apptag apptag_mask deac cmdprio_percentage cmdprio_class cmdprio_hint cmdprio cmdprio_bssplit',
  ],
  [
    'libaio',
    'userspace_reap nowait libaio_vectored cmdprio_percentage cmdprio_class cmdprio_hint cmdprio cmdprio_bssplit',
  ],
  ['pvsync2', 'hipri hipri_percentage uncached nowait'],
  ['sg', 'hipri readfua writefua sg_write_mode stream_id'],
  [
    'libblkio',
    'libblkio_driver libblkio_path libblkio_pre_connect_props libblkio_num_entries libblkio_queue_size libblkio_pre_start_props hipri libblkio_vectored libblkio_write_zeroes_on_trim libblkio_wait_mode libblkio_force_enable_completion_eventfd',
  ],
  [
    'xnvme',
    'hipri sqthread_poll xnvme_be xnvme_mem xnvme_async xnvme_sync xnvme_admin xnvme_dev_nsid xnvme_dev_subnqn xnvme_iovec md_per_io_size pi_act pi_chk apptag apptag_mask',
  ],
  ['mmap', 'thp'],
  ['windowsaio', 'no_completion_thread'],
  ['mtd', 'skip_bad'],
  ['cpuio', 'cpuload cpumode cpuchunks exit_on_io_done'],
  ['exec', 'program arguments grace_time std_redirect'],
  ['filestat dirstat', 'stat_type'],
  ['e4defrag', 'donorname inplace'],
  ['net netsplice', 'hostname port protocol proto nodelay listen pingpong interface ttl window_size mss'],
  ['rdma', 'hostname bindname port verb proto'],
  [
    'http',
    'https http_host http_user http_pass http_s3_key http_s3_keyid http_s3_security_token http_swift_auth_token http_s3_region http_s3_sse_customer_key http_s3_sse_customer_algorithm http_s3_storage_class http_mode http_verbose http_object_mode',
  ],
  ['rados', 'clustername pool clientname conf busy_poll touch_objects'],
  ['rbd', 'clustername rbdname pool clientname busy_poll rbd_encryption_format rbd_encryption_passphrase'],
  ['dfs', 'pool cont chunk_size object_class svcl'],
  ['gfapi gfapi_async', 'volume brick single-instance'],
  ['libhdfs', 'namenode hostname port hdfsdirectory chunk_size chunck_size single_instance hdfs_use_direct'],
  ['libiscsi', 'initiator'],
  ['nbd', 'uri'],
  ['nfs', 'nfs_url'],
  ['libcufile', 'gpu_dev_ids cuda_io'],
  ['libhipfile', 'gpu_dev_ids rocm_io'],
]

const OWNERS = new Map<string, string[]>()
for (const [engines, options] of TABLE) {
  for (const option of options.split(/\s+/)) {
    OWNERS.set(option, [...(OWNERS.get(option) ?? []), ...engines.split(/\s+/)])
  }
}

/** The engines that have `option` in their table; undefined for an option of fio itself. */
export function engineOwners(option: string): readonly string[] | undefined {
  return OWNERS.get(option)
}

/** Every engine option's name (the option table checks each is listed there). */
export function engineOptionNames(): string[] {
  return [...OWNERS.keys()]
}

/** Where fio reads an option against an engine: which engine, and how fio came to it. */
export interface EngineInEffect {
  engine: string
  /** false: no ioengine= given, fio's default engine. */
  given: boolean
  /** 'job': the job's own engine; 'global': the engine this [global] ends with; 'command line': the
   * engine named so far on the command line. */
  at: 'job' | 'global' | 'command line'
}

/**
 * Why fio refuses `key` as written under `inEffect`, or undefined when fio takes it (an option of fio
 * itself, or of that engine). `value` is undefined for a bare option.
 */
export function engineOptionProblem(
  key: string,
  value: string | undefined,
  inEffect: EngineInEffect,
): string | undefined {
  const owners = engineOwners(key)
  if (owners === undefined || owners.includes(inEffect.engine)) return undefined
  const names = owners.length === 1 ? owners[0]! : `${owners.slice(0, -1).join(', ')} or ${owners.at(-1)}`
  const engine = `${inEffect.engine}${inEffect.given ? '' : " (fio's default: no ioengine= given)"}`
  const of = `is an option of ioengine=${names} only`
  if (inEffect.at === 'command line') {
    return `${of}, and the engine named so far on the command line is ${engine}: fio reads its command line in order and takes an engine's options only after an --ioengine= naming that engine (fio: "unrecognized option '--${key}'")`
  }
  const whose = inEffect.at === 'job' ? "the job's engine" : 'the engine this [global] ends with'
  return `${of}, and ${whose} is ${engine}: fio reads the options left after its own against that engine's alone, wherever ioengine= stands in the section, and drops the job ("Bad option <${value === undefined ? key : `${key}=${value}`}>")`
}
