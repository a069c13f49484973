/** Small process helpers of the fault harness: waiting for an exit, signalling by pid. */
import type { ChildProcess } from 'node:child_process';

export type Logger = (text: string) => void;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (or the signal's name) once `child` has exited, or 'timeout'. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | string> {
  if (hasExited(child)) return Promise.resolve(child.exitCode ?? child.signalCode ?? 'exited');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve('timeout');
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve(code ?? signal ?? 'exited');
    };
    child.once('exit', onExit);
  });
}

/** Sends `signal` to the child's own pid (never to a group or by name); false if it had exited. */
export function signalProcess(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || hasExited(child)) return false;
  try {
    process.kill(child.pid, signal);
    return true;
  } catch {
    return false;
  }
}
