import { cpus, loadavg, totalmem } from 'node:os'

/** What every figure is stated against. */
export function machine() {
  const list = cpus()
  return {
    cores: list.length,
    cpu: list[0]?.model?.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

export function load() {
  return loadavg().map((value) => value.toFixed(2))
}
