import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const TOOLS = join(import.meta.dirname, '..', '..', 'tools')
const SCRIPT = readFileSync(join(TOOLS, 'swiotlb-trace.bt'), 'utf8')
const SAMPLER = join(TOOLS, 'swiotlb-used-sampler.sh')

/** The kprobe and kretprobe attach points of the script, as bpftrace globs. */
function probes(kind: 'kprobe' | 'kretprobe'): string[] {
  return [...SCRIPT.matchAll(new RegExp(`^${kind}:(\\S+)$`, 'gm'))].map((m) => m[1]!)
}

/** bpftrace's wildcard: `*` matches any run of characters, the rest itself. */
function matches(glob: string, name: string): boolean {
  const re = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${re}$`).test(name)
}

describe('tools/swiotlb-trace.bt attaches to functions each kernel has', () => {
  // The global (kprobe-able) swiotlb functions, from the kernel sources: up to 6.11 the unmap is
  // swiotlb_tbl_unmap_single in kernel/dma/swiotlb.c; from 6.12 on (commit "swiotlb: reduce swiotlb
  // pool lookups") that name is a static inline in include/linux/swiotlb.h and the global function is
  // __swiotlb_tbl_unmap_single(dev, tlb_addr, mapping_size, dir, attrs, pool).
  const kernels: Record<string, { map: string; unmap: string }> = {
    '5.13 to 6.11': { map: 'swiotlb_tbl_map_single', unmap: 'swiotlb_tbl_unmap_single' },
    '6.12 on': { map: 'swiotlb_tbl_map_single', unmap: '__swiotlb_tbl_unmap_single' },
  }

  for (const [versions, fns] of Object.entries(kernels)) {
    it(`on ${versions}: entry and return of ${fns.map}, entry of ${fns.unmap}`, () => {
      const entries = probes('kprobe')
      const returns = probes('kretprobe')
      expect(entries.filter((g) => matches(g, fns.map))).toHaveLength(1)
      expect(returns.filter((g) => matches(g, fns.map))).toHaveLength(1)
      expect(entries.filter((g) => matches(g, fns.unmap))).toHaveLength(1)
      // Every probe attaches to something there: bpftrace refuses to start on one that does not.
      for (const g of [...entries, ...returns])
        expect([fns.map, fns.unmap].some((name) => matches(g, name))).toBe(true)
    })
  }
})

describe('tools/swiotlb-used-sampler.sh', () => {
  /** A debugfs directory as swiotlb_create_debugfs_files makes it; `null` makes an unreadable entry. */
  function debugfs(files: Record<string, string | null>): string {
    const dir = mkdtempSync(join(tmpdir(), 'dma-throttle-debugfs-'))
    for (const [name, text] of Object.entries(files)) {
      // A directory stands for a file the kernel refuses to open (e.g. io_tlb_used_hiwater, mode 0600,
      // under lockdown): `test -r` passes, reading fails, even as root.
      if (text === null) mkdirSync(join(dir, name))
      else writeFileSync(join(dir, name), text)
    }
    return dir
  }

  function sample(dir: string, args: string[]): { lines: string[]; fields: string[][] } {
    const out = execFileSync('sh', [SAMPLER, ...args], {
      env: { ...process.env, SWIOTLB_DEBUGFS: dir },
      encoding: 'utf8',
      timeout: 10_000, // a guard: the sampler stops by itself after the samples asked for
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines = out.split('\n').filter((l) => l !== '')
    return { lines, fields: lines.filter((l) => !l.startsWith('#')).map((l) => l.split(' ')) }
  }

  it('prints the requested number of samples: time, used, hiwater, nslabs', () => {
    const dir = debugfs({ io_tlb_used: '96\n', io_tlb_used_hiwater: '4100\n', io_tlb_nslabs: '32768\n' })
    const { lines, fields } = sample(dir, ['0', '3'])
    expect(lines[0]).toBe(`# dma-throttle-used v1 interval=0s dir=${dir}`)
    expect(lines[1]).toBe('# time_ns used hiwater nslabs')
    expect(fields).toHaveLength(3)
    for (const f of fields) {
      expect(f[0]).toMatch(/^\d+$/)
      expect(f.slice(1)).toEqual(['96', '4100', '32768'])
    }
  })

  it('a counter that cannot be read is -1, never an empty field that shifts the columns', () => {
    const dir = debugfs({ io_tlb_used: '12\n', io_tlb_used_hiwater: null, io_tlb_nslabs: '32768\n' })
    const { fields } = sample(dir, ['0', '1'])
    expect(fields).toHaveLength(1)
    expect(fields[0]!.slice(1)).toEqual(['12', '-1', '32768'])
  })

  it('a kernel without io_tlb_used_hiwater (before 6.4) gives -1 in its column', () => {
    const dir = debugfs({ io_tlb_used: '7\n', io_tlb_nslabs: '1024\n' })
    expect(sample(dir, ['0', '1']).fields[0]!.slice(1)).toEqual(['7', '-1', '1024'])
  })

  it('refuses to start when io_tlb_used cannot be read, and on a bad sample count', () => {
    const fail = (dir: string, args: string[]) => {
      try {
        sample(dir, args)
      } catch (e) {
        const err = e as { status: number; stderr: string; stdout: string }
        return { status: err.status, stderr: err.stderr, stdout: err.stdout }
      }
      throw new Error('the sampler did not fail')
    }
    const unreadable = debugfs({ io_tlb_used: null, io_tlb_nslabs: '1024\n' })
    const a = fail(unreadable, ['0', '1'])
    expect(a.status).toBe(1)
    expect(a.stdout).toBe('')
    expect(a.stderr).toContain(`cannot read ${unreadable}/io_tlb_used`)
    const b = fail(debugfs({ io_tlb_used: '1\n' }), ['0', 'x'])
    expect(b.status).toBe(2)
    expect(b.stderr).toContain("samples must be a whole number, got 'x'")
  })
})
