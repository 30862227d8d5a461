// The log-file settings of a LogCapture: iisnode's loggingEnabled, logDirectory, maxLogFileSizeInKB,
// maxTotalLogFileSizeInKB and maxLogFiles (reference/iisnode.md §1.1), resolved to bytes and checked once
// here so the data path does no checking.

import os from 'node:os';
import path from 'node:path';
import { cbError } from '../shared/errors.js';

export interface LogFileOptions {
  /** iisnode's loggingEnabled: write log files at all. The in-memory records are kept either way. */
  enabled: boolean;
  /** Absolute path of the folder; created (recursively) on the first write. */
  directory: string;
  /** A file rolls over when a write would make it larger than this (iisnode default 128). */
  maxLogFileSizeInKB: number;
  /** Oldest files are deleted while the folder's log files total more than this (iisnode default 1024). */
  maxTotalLogFileSizeInKB: number;
  /** Oldest files are deleted while the folder holds more log files than this (iisnode default 20). */
  maxLogFiles: number;
  /**
   * First part of each file name (iisnode used COMPUTERNAME).
   * @default os.hostname()
   */
  hostname?: string;
  /**
   * iisnode's on-disk conventions (web.config projects): "\n" written as "\r\n", and an index.html in the
   * folder rewritten on each new log file.
   * @default false
   */
  iisnodeConventions?: boolean;
}

export interface ResolvedLogFileOptions {
  readonly enabled: boolean;
  readonly directory: string;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
  readonly maxFiles: number;
  readonly hostname: string;
  readonly iisnodeConventions: boolean;
}

/** Checks the options (only when files are enabled: a disabled folder may be anything) and converts KB to bytes. */
export function resolveLogFileOptions(options: LogFileOptions): ResolvedLogFileOptions {
  const hostname = options.hostname ?? os.hostname();
  const iisnodeConventions = options.iisnodeConventions ?? false;
  if (!options.enabled) {
    return Object.freeze({ enabled: false, directory: options.directory, maxFileBytes: 0, maxTotalBytes: 0, maxFiles: 0, hostname, iisnodeConventions });
  }
  if (typeof options.directory !== 'string' || !path.isAbsolute(options.directory)) {
    throw cbError('CB_ERR_CONFIG_VALUE', { option: 'logDirectory', value: String(options.directory), expected: 'an absolute path' });
  }
  return Object.freeze({
    enabled: true,
    directory: options.directory,
    maxFileBytes: kilobytes('maxLogFileSizeInKB', options.maxLogFileSizeInKB),
    maxTotalBytes: kilobytes('maxTotalLogFileSizeInKB', options.maxTotalLogFileSizeInKB),
    maxFiles: nonNegativeInteger('maxLogFiles', options.maxLogFiles),
    hostname,
    iisnodeConventions,
  });
}

function kilobytes(option: string, value: number): number {
  return nonNegativeInteger(option, value) * 1024;
}

function nonNegativeInteger(option: string, value: number): number {
  if (Number.isInteger(value) && value >= 0) return value;
  throw cbError('CB_ERR_CONFIG_VALUE', { option, value: String(value), expected: 'a whole number ≥ 0' });
}
