// A small flag parser: `--name value`, `--name=value`, `--flag`, and positional arguments.
import { ValidationError } from '../../domain/shared/errors.ts';

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(args: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) { positional.push(arg); continue; }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(key, inline);
    else if (booleanFlags.includes(key)) flags.set(key, true);
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ValidationError('CLI.MISSING_VALUE', `--${key} needs a value`);
      flags.set(key, value);
      i += 1;
    }
  }
  return { positional, flags };
}

export function flag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function requireFlag(parsed: ParsedArgs, name: string, what: string): string {
  const value = flag(parsed, name);
  if (value === undefined) throw new ValidationError('CLI.MISSING_FLAG', `--${name} is required: ${what}`);
  return value;
}
