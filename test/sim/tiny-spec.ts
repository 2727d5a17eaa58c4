/** A small spec the CLI tests size and sweep: four clones of one random-read job, two policies. */
export const TINY_SPEC = JSON.stringify({
  name: 'tiny',
  cpus: 4,
  pool: '2M',
  runtime: '20ms',
  jobs: [{ name: 'j', rw: 'randread', bs: '64k', iodepth: 12, numjobs: 4 }],
  policies: ['fail', 'throttle'],
})
