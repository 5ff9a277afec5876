/**
 * Exit codes, one per class of cause, so scripts can tell them apart. 2 is `status --check`
 * findings; usage errors take 64, EX_USAGE of sysexits(3).
 */
export const ExitCode = {
  unexpected: 1,
  findings: 2,
  badInput: 3,
  missingTool: 4,
  permission: 5,
  kernelUnsupported: 6,
  systemRead: 7,
  parse: 8,
  usage: 64,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/**
 * An error a user can act on: `message` names the cause, `fix` says what to do.
 * Commands turn it into one line on stderr and the matching exit code, never a stack trace.
 */
export class SynqError extends Error {
  /** The class of cause, which decides the exit code. */
  readonly kind: ExitCodeName;
  readonly exitCode: number;
  readonly fix: string | undefined;

  constructor(kind: ExitCodeName, message: string, fix?: string) {
    super(message);
    this.name = "SynqError";
    this.kind = kind;
    this.exitCode = ExitCode[kind];
    this.fix = fix;
  }

  /** The single line shown to the user. */
  oneLine(): string {
    return this.fix ? `${this.message}; ${this.fix}` : this.message;
  }
}
