// A controlled disk for the refresh A/B tools (AB_SYNC_MS): the database lives on tmpfs and every
// sync of the WAL takes the real (near-zero) fdatasync plus a fixed wait, as a quiet disk's does, so
// other engineers' writes to the shared disk do not decide a comparison. Patches FileHandle's
// datasync for the whole process: call it before the server opens its database.
import { open } from 'node:fs/promises'

export async function slowWalSyncs(syncMs) {
  const handle = await open(process.execPath, 'r')
  const fileHandle = Object.getPrototypeOf(handle)
  await handle.close()
  const datasync = fileHandle.datasync
  fileHandle.datasync = async function () {
    await datasync.call(this)
    await new Promise((resolve) => setTimeout(resolve, syncMs))
  }
}
