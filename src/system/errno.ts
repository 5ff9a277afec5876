/** The errno values synq tells apart (Linux's, the same on every architecture it runs on). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EACCES: 13,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  EPROTONOSUPPORT: 93,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
} as const;

/** Whether `errno` says the caller lacks privileges (EPERM, EACCES). */
export function isPermissionErrno(errno: number): boolean {
  return errno === Errno.EPERM || errno === Errno.EACCES;
}
