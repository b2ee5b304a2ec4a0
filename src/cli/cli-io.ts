/** What a CLI command may touch of the outside world; main.ts passes the process's, tests their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly user: string;
}
