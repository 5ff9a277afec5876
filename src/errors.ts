/**
 * Exit codes, one per class of cause, so scripts can tell them apart.
 * 1 is left to oclif (usage errors) and 2 to `status --check` findings.
 */
export const ExitCode = {
  findings: 2,
  badInput: 3,
  missingTool: 4,
  permission: 5,
  kernelUnsupported: 6,
  systemRead: 7,
  parse: 8,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/**
 * An error a user can act on: `message` names the cause, `fix` says what to do.
 * Commands turn it into one line on stderr and the matching exit code, never a stack trace.
 */
export class SynqError extends Error {
  readonly exitCode: number;
  readonly fix: string | undefined;

  constructor(kind: ExitCodeName, message: string, fix?: string) {
    super(message);
    this.name = "SynqError";
    this.exitCode = ExitCode[kind];
    this.fix = fix;
  }

  /** The single line shown to the user. */
  oneLine(): string {
    return this.fix ? `${this.message}; ${this.fix}` : this.message;
  }
}
