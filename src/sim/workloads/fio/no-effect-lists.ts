import { asInt, cAtoi, cStrtol, cStrtoull } from './c-numbers.js'
import { FioValueError } from './problems.js'

/**
 * The lists of the no-effect options that fio reads with a callback of its own (options.c), checked
 * as that callback reads them: C's strsep, strtoull and atoi, which take any text and read 0 where
 * there is no number, so only what the callback itself refuses is refused.
 */

/** fio's strip_blank_end: cut at the first ';' or '#', then trailing blanks. */
export function stripEnd(text: string): string {
  const cut = text.search(/[;#]/)
  return (cut < 0 ? text : text.slice(0, cut)).trimEnd()
}

/** Items before the first empty one: fio's `strsep` loops stop at an empty item. */
function untilEmpty(items: string[]): string[] {
  const empty = items.indexOf('')
  return empty < 0 ? items : items.slice(0, empty)
}

/** A `lo-hi` item as fio reads one: `hi` is the last non-empty piece after the first, `lo` the first. */
function range(item: string, read: (piece: string) => number, none: number): [number, number] {
  const pieces = item.split('-')
  let hi = none
  for (const piece of untilEmpty(pieces)) hi = read(piece)
  const lo = read(pieces[0]!)
  return [lo, hi === none ? lo : hi]
}

export const IDS = 'placement IDs like 0-3,8 (at most 128, each at most 0xFFFF)'

/**
 * plids / fdp_pli (options.c str_fdp_pli_cb): ','-separated IDs or `lo-hi` ranges, read by
 * strtoull (base 0) into an unsigned int. A range that goes down, a 129th ID ("only 128 IDs
 * supported", FIO_MAX_DP_IDS) and an ID above 0xFFFF ("Placement IDs cannot exceed 0xFFFF") are
 * refused, whichever fio meets first.
 */
export function checkPlacementIds(value: string): void {
  const u32 = (piece: string) => Number(BigInt.asUintN(32, cStrtoull(piece, 0)))
  let count = 0
  for (const item of untilEmpty(stripEnd(value.trim()).split(','))) {
    const [lo, hi] = range(item, u32, 0xffff_ffff)
    if (lo > hi) throw new FioValueError(IDS, `a range from ${lo} down to ${hi}, which fio refuses`)
    for (let id = lo; id <= hi; id++, count++) {
      if (count >= 128) throw new FioValueError(IDS, 'more than 128 IDs: fio "only 128 IDs supported"')
      if (id > 0xffff) throw new FioValueError(IDS, `ID ${id}: fio "Placement IDs cannot exceed 0xFFFF"`)
    }
  }
}

/** The errno names fio's str2error knows (options.c), as Linux's errno.h spells them. */
const ERRNO_NAMES = new Set(
  `EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT ENOTBLK
  EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS
  EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP EWOULDBLOCK ENOMSG EIDRM
  ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT
  EDEADLOCK EBFONT ENOSTR ENODATA ETIME ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO
  EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC
  EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT
  ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH
  ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT
  ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM
  EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY EKEYEXPIRED EKEYREVOKED EKEYREJECTED
  EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON`.split(/\s+/),
)

export const ERRORS = 'error names or numbers like EIO:ENOSPC,EIO (":"-lists for reads, writes, verifies)'

/**
 * ignore_error (options.c str_ignore_error_cb, ignore_error_type): up to 3 ','-separated lists (reads,
 * writes, verifies; a 4th is "Illegal error type"), each ':'-separated up to an empty item. An item
 * starting with 'E' is an errno name; any other is strtol's number (base 16 after "0x"), made an int
 * and positive; a name fio does not know or a number that comes to 0 is "Unknown error". fio keeps a
 * blank at the front of the value (it strips only the end).
 */
export function checkErrorList(value: string): void {
  stripEnd(value)
    .split(',')
    .forEach((list, type) => {
      if (type >= 3) throw new FioValueError(ERRORS, 'a 4th list: fio "Illegal error type"')
      for (const item of untilEmpty(list.split(':'))) {
        const known = item.startsWith('E')
          ? ERRNO_NAMES.has(item)
          : asInt(cStrtol(item, /^0x/i.test(item) ? 16 : 10)) !== 0
        if (!known) throw new FioValueError(ERRORS, `fio: "Unknown error ${item}, please use number value"`)
      }
    })
}

export const CPUS = 'CPUs like 0-3,8'

/** fio's FIO_MAX_CPUS on Linux (CPU_SETSIZE): a CPU from here on is refused on any machine. */
const MAX_CPUS = 1024

/**
 * verify_async_cpus, log_compression_cpus (options.c set_cpus_allowed): ','-separated CPUs or `lo-hi`
 * ranges, each number read by atoi, so any text passes ("abc" is CPU 0) and a range that goes down
 * names no CPU. fio refuses a CPU of 1024 or more ("your OS only supports up to 1024 CPUs") and one
 * its machine does not have ("CPU 16 too large"). The machine here is the simulated one, and the list
 * is held to it as cpus_allowed is: refused when it names CPUs and none of them is on that machine.
 */
export function checkCpuList(value: string, cpus: number): void {
  let named = false
  let inside = false
  for (const item of untilEmpty(stripEnd(value.trim()).split(','))) {
    const [lo, hi] = range(item, cAtoi, -1)
    if (lo > hi || hi < 0) continue
    if (hi >= MAX_CPUS)
      throw new FioValueError(
        CPUS,
        `CPU ${Math.max(lo, MAX_CPUS)}: fio "your OS only supports up to 1024 CPUs"`,
      )
    named = true
    if (Math.max(lo, 0) < cpus) inside = true
  }
  if (named && !inside)
    throw new FioValueError(
      `CPUs of the simulated machine (0-${cpus - 1})`,
      `none of them is on it: fio refuses a CPU its machine does not have`,
    )
}
