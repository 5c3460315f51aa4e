export type { Command, CommandEntry } from './command.ts';
export { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './command.ts';
export { COMMANDS } from './commands/index.ts';
export { UsageError } from './errors.ts';
export { type FileSystem, type Io, nodeIo, type Writer } from './io.ts';
export { main } from './main.ts';
export { type LoadedSource, loadExceptions, loadSnapshot, loadSource, type SourceArgs } from './sources.ts';
export { VERSION } from './version.ts';
