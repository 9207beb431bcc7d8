// One preparation at a time per folder: two `npm run bench` in one checkout (or a run and a tool
// that prepares the filed build, lib/filed-build.mjs) would otherwise remove and rebuild the same
// folder under each other. The lock is a directory made with mkdir (atomic: one caller succeeds),
// holding the owner's pid; a lock whose owner is gone (killed mid-preparation) is taken over.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

// A lock just made, whose owner has not written its pid yet, is not taken for a dead one before this.
const UNOWNED_GRACE_MS = 10_000

/** Whether process `pid` exists (signal 0 checks without sending anything; EPERM: it exists, another user's). */
function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** The pid the lock names, or null when it names none yet (or cannot be read). */
function ownerOf(lock) {
  try {
    const pid = Number(readFileSync(join(lock, 'owner'), 'utf8'))
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Whether the lock at `lock` is held by nobody any more: its owner exited, or it named no owner past the grace. */
function abandoned(lock, now) {
  const pid = ownerOf(lock)
  if (pid !== null) return !alive(pid)
  try {
    return now - statSync(lock).mtimeMs > UNOWNED_GRACE_MS
  } catch {
    return false // gone meanwhile: the next attempt takes it
  }
}

/**
 * Runs `task` holding the lock `lock` (a path; its parent is made if need be). While another
 * process holds it, waits (polling every `pollMs`, saying so once through `log`) for at most
 * `waitMs`, then rejects; a lock left by a process that no longer runs is removed and taken.
 */
export async function withPreparationLock(lock, task, { waitMs, pollMs = 500, log = () => {} }) {
  mkdirSync(dirname(lock), { recursive: true })
  const started = Date.now()
  let said = false
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
    if (abandoned(lock, Date.now())) {
      rmSync(lock, { recursive: true, force: true })
      continue
    }
    if (Date.now() - started > waitMs)
      throw new Error(`another process (pid ${ownerOf(lock) ?? 'unknown'}) held ${lock} for over ${Math.round(waitMs / 1000)} s`)
    if (!said) log(`waiting for another process (pid ${ownerOf(lock) ?? 'unknown'}) preparing the same build`)
    said = true
    await sleep(pollMs)
  }
  try {
    writeFileSync(join(lock, 'owner'), String(process.pid))
    return await task()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
