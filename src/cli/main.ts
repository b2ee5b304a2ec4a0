#!/usr/bin/env node
/**
 * The sre-agent executable.
 * @module
 */
import { userInfo } from 'node:os';
import { runCli } from './program.js';

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  user: currentUser(),
});
process.exitCode = exitCode;
