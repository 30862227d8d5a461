// Which shell a terminal runs, and where it is. The shell is looked up before the pty is forked because a
// fork cannot report a missing program: the child prints "execvp(3) failed." into the terminal and exits
// with 1, which reads as a shell that crashed rather than one that was never there.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** Reads an environment variable; on Windows names are case-insensitive (`Path`, `ComSpec`). */
export function envValue(env: Env, name: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    // Windows has no execute bit: a file with an executable extension is enough.
    if (platform !== 'win32') accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of `command`: itself when it names a path (absolute, or relative to `cwd`), else the
 * first match on PATH (with PATHEXT's extensions on Windows). Undefined when there is none.
 */
export function findExecutable(command: string, env: Env, cwd: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const extensions = platform === 'win32'
    ? ['', ...(envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  const hasSeparator = command.includes('/') || (platform === 'win32' && command.includes('\\'));
  const folders = hasSeparator
    ? [cwd]
    : (envValue(env, 'PATH', platform) ?? '').split(p.delimiter).filter(Boolean);
  for (const folder of folders) {
    for (const ext of extensions) {
      const candidate = p.resolve(folder, command + ext);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

/**
 * The shell used when neither the session nor the manager names one. Unix: $SHELL, else bash, else sh,
 * as a login would pick. Windows: PowerShell, which every supported Windows ships, else %ComSpec% (cmd.exe).
 */
export function defaultShell(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const systemRoot = envValue(env, 'SystemRoot', platform) ?? 'C:\\Windows';
    const powershell = path.win32.join(systemRoot, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    if (isExecutableFile(powershell, platform) || findExecutable('powershell.exe', env, systemRoot, platform)) return 'powershell.exe';
    return envValue(env, 'ComSpec', platform) || 'cmd.exe';
  }
  const shell = envValue(env, 'SHELL', platform);
  if (shell) return shell;
  return findExecutable('bash', env, '/', platform) ? 'bash' : '/bin/sh';
}

/** The tab title for a shell: its file name without a Windows extension ("bash", "powershell"). */
export function shellTitle(shell: string): string {
  const base = path.win32.basename(shell); // splits on both / and \
  return base.replace(/\.(exe|cmd|bat|com)$/i, '');
}
