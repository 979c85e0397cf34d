/**
 * Files only this user may read (the keyring, the snapshot, the admin token) and the directories
 * that hold them.
 *
 * A write goes to a temp file with an unpredictable name, opened with O_CREAT|O_EXCL|O_NOFOLLOW
 * (Node's `wx` plus no-follow): a symlink or file planted beside the target is never written
 * through, it only makes the write fail. The temp file is created 0600, fsynced, renamed over
 * the target, and then the directory is fsynced, so after a crash the file is the old one or the
 * new one, and a rename that returned is not undone (a keyring from before a rotation must not
 * come back).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Mode of the files written here: owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of the directories created here: owner only. */
export const PRIVATE_DIR_MODE = 0o700;

// O_NOFOLLOW is absent on Windows; O_EXCL alone already refuses an existing path there.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Create `dir` and any missing parents with mode 0700. An existing directory is left as it is
 * (its owner chose its mode). Throws the fs error.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Replace `path` with `text` atomically and durably, mode 0600; the parent directory is created
 * (0700) when missing. Throws the fs error and leaves no temp file behind.
 */
export function writePrivateFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, CREATE_NEW, PRIVATE_FILE_MODE);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never there
    }
    throw e;
  }
  syncDir(dir);
}

/** fsync a directory so a rename in it survives a crash; a no-op where directories cannot be opened (Windows). */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY);
  } catch (e) {
    if (process.platform === 'win32') return;
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // Some filesystems refuse fsync on a directory (EINVAL); the rename itself has happened.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
  } finally {
    closeSync(fd);
  }
}
