/** Whether a process with this pid exists (signal 0); EPERM means it does, owned by another user (the postgres one). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
